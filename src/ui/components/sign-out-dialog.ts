// "Sign out with unsent changes?": a modal dialog in the page (the browser's <dialog>: focus moves
// into it and stays, Escape cancels, the rest of the page is inert), asked only when the outbox
// holds changes the server does not have yet. Answers with a `sign-out` event, or closes.
import { LitElement, css, html } from 'lit';
import { base } from '../styles.js';

export class SignOutDialog extends LitElement {
  static override properties = { warning: { attribute: false } };
  /** What becomes of the unsent changes (auth-view.ts: unsentWarning). */
  declare warning: string;

  constructor() {
    super();
    this.warning = '';
  }

  /** Opens the dialog; focus goes to "Stay signed in", the choice that loses nothing. */
  async ask(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector('dialog')?.showModal();
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
  }

  private signOut(): void {
    this.close();
    this.dispatchEvent(new CustomEvent('sign-out', { bubbles: true, composed: true }));
  }

  override render(): unknown {
    return html`<dialog aria-labelledby="sign-out-title" aria-describedby="sign-out-warning">
      <h2 id="sign-out-title">Sign out with unsent changes?</h2>
      <p id="sign-out-warning">${this.warning}</p>
      <div class="row">
        <button class="primary" autofocus @click=${() => this.close()}>Stay signed in</button>
        <button @click=${() => this.signOut()}>Sign out</button>
      </div>
    </dialog>`;
  }

  static override styles = [
    base,
    css`
      dialog {
        max-width: min(28rem, calc(100vw - 2rem));
        border: 1px solid var(--line);
        border-radius: var(--radius);
        padding: 1.25rem;
      }
      dialog::backdrop {
        background: #0006;
      }
      h2 {
        margin-top: 0;
      }
      .row {
        justify-content: flex-end;
      }
    `,
  ];
}
customElements.define('sign-out-dialog', SignOutDialog);
