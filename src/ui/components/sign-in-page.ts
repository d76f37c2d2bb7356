// Sign in, or create an account (email confirmation is off on the local backend).
import { LitElement, css, html, nothing } from 'lit';
import type { Services } from '../services.js';
import { base } from '../styles.js';

export class SignInPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    notice: { attribute: false },
    signUp: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare services: Services;
  /** Why the user is here, when they did not choose it (signed out in another tab). */
  declare notice: string | undefined;
  declare signUp: boolean;
  declare error: string | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.signUp = false;
    this.busy = false;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value;
    const credentials = { email: field('email').trim(), password: field('password') };
    this.busy = true;
    this.error = undefined;
    const { backline } = this.services;
    // The name co-members see (else the part of the email before the @).
    const name = this.signUp ? field('display_name').trim() : '';
    try {
      if (!this.signUp) await backline.signIn(credentials.email, credentials.password);
      else if (!(await backline.signUp({ ...credentials, ...(name ? { name } : {}) })))
        this.error = 'Check your email to confirm your address, then sign in.';
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  override render(): unknown {
    const action = this.signUp ? 'Create account' : 'Sign in';
    return html`<main class="card">
      <h1>Backline</h1>
      <p class="muted">Your band's songs, live on every device.</p>
      ${this.notice ? html`<p role="status" class="notice">${this.notice}</p>` : nothing}
      <form @submit=${(e: SubmitEvent) => void this.submit(e)}>
        ${
          this.signUp
            ? html`<label
                >Your name (optional) <input name="display_name" autocomplete="name" maxlength="100"
              /></label>`
            : nothing
        }
        <label>Email <input name="email" type="email" autocomplete="username" required /></label>
        <label
          >Password
          <input
            name="password"
            type="password"
            minlength="6"
            autocomplete=${this.signUp ? 'new-password' : 'current-password'}
            required
        /></label>
        <button class="primary" type="submit" ?disabled=${this.busy}>${action}</button>
        ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      </form>
      <p>
        ${this.signUp ? 'Have an account?' : 'New here?'}
        <button class="link" @click=${() => (this.signUp = !this.signUp)}>
          ${this.signUp ? 'Sign in' : 'Create an account'}
        </button>
      </p>
      <p class="muted hint">Demo: alice@example.com or bob@example.com, password backline-demo</p>
    </main>`;
  }

  static override styles = [
    base,
    css`
      main {
        max-width: 24rem;
        margin: 3rem auto;
      }
      .link {
        border: none;
        padding: 0 0.25rem;
        background: none;
        color: var(--accent);
        text-decoration: underline;
      }
      .notice {
        font-weight: 600;
      }
      .hint {
        font-size: 0.85rem;
      }
    `,
  ];
}
customElements.define('sign-in-page', SignInPage);
