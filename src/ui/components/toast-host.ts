// Where toasts appear: an aria-live region so screen readers announce them.
import { LitElement, css, html } from 'lit';
import type { Toast } from '../state/toast-queue.js';
import type { ToastService } from '../services.js';
import { base } from '../styles.js';

export class ToastHost extends LitElement {
  static override properties = { service: { attribute: false }, toasts: { state: true } };
  declare service: ToastService | undefined;
  declare toasts: readonly Toast[];
  private unsubscribe: (() => void) | undefined;

  constructor() {
    super();
    this.toasts = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = this.service?.subscribe((toasts) => (this.toasts = toasts));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  override render(): unknown {
    return html`<section aria-label="Notifications" aria-live="polite">
      ${this.toasts.map(
        (toast) =>
          html`<div class="toast ${toast.tone}" role=${toast.tone === 'error' ? 'alert' : 'status'}>
            <span class="message">${toast.message}</span>
            ${toast.actions.map(
              (action) =>
                html`<button
                  @click=${() => {
                    action.run();
                    this.service?.dismiss(toast.id);
                  }}
                >
                  ${action.label}
                </button>`,
            )}
            <button class="close" aria-label="Dismiss" @click=${() => this.service?.dismiss(toast.id)}>
              ×
            </button>
          </div>`,
      )}
    </section>`;
  }

  static override styles = [
    base,
    css`
      /* At the bottom, off the header and the page's title; above the connection bar on a phone. */
      section {
        position: fixed;
        bottom: 1rem;
        right: 1rem;
        display: grid;
        gap: 0.5rem;
        z-index: 30;
        width: min(24rem, calc(100vw - 2rem));
      }
      @media (max-width: 640px) {
        section {
          bottom: 4.5rem;
        }
      }
      .toast {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.5rem;
        align-items: center;
        padding: 0.6rem 0.8rem;
        border-radius: var(--radius);
        background: var(--surface);
        border: 1px solid var(--line);
        border-left: 4px solid var(--info);
        box-shadow: var(--shadow);
      }
      .toast.success {
        border-left-color: var(--success);
      }
      .toast.warning {
        border-left-color: var(--warning);
      }
      .toast.error {
        border-left-color: var(--danger);
      }
      .message {
        flex: 1 1 14rem;
        color: var(--fg);
      }
      button {
        padding: 0.2rem 0.7rem;
      }
      .close {
        border: none;
        font-size: 1.2rem;
        min-width: var(--control-height);
      }
    `,
  ];
}
customElements.define('toast-host', ToastHost);
