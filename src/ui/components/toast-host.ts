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
      section {
        position: fixed;
        top: 1rem;
        right: 1rem;
        display: grid;
        gap: 0.5rem;
        z-index: 30;
        width: min(24rem, calc(100vw - 2rem));
      }
      .toast {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.5rem;
        align-items: center;
        padding: 0.6rem 0.8rem;
        border-radius: var(--radius);
        background: #fff;
        border: 1px solid var(--line);
        border-left: 4px solid #2563eb;
        box-shadow: 0 4px 16px #0002;
      }
      .toast.success {
        border-left-color: #15803d;
      }
      .toast.warning {
        border-left-color: #d97706;
      }
      .toast.error {
        border-left-color: var(--danger);
      }
      .message {
        flex: 1 1 14rem;
        color: var(--fg);
      }
      button {
        min-height: 2rem;
        padding: 0.2rem 0.6rem;
      }
      .close {
        border: none;
        font-size: 1.2rem;
      }
    `,
  ];
}
customElements.define('toast-host', ToastHost);
