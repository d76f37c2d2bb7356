// The shared socket's state and the outbox's, shown only when something is not fine: hidden while
// connected with nothing held up (or signed out), a spinner while (re)connecting, "Offline" when
// down, a Retry button once retries stop; which part of the server is out of reach (live updates,
// saving, or both); and the changes waiting to sync, why they wait, and "Sync now".
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { assertNever, type ConnectionState, type OutboxEntry } from '../../client/index.js';
import { OUTAGE_WORDS, connectionReason, outage } from '../state/connection-reason.js';
import { HOLD_UP_WORDS, holdUp, serverUnreachable, waitingToSync } from '../state/outbox-summary.js';
import { base } from '../styles.js';

export class ConnectionIndicator extends LitElement {
  static override properties = {
    state: { attribute: false },
    entries: { attribute: false },
    signedIn: { attribute: false },
    now: { state: true },
  };
  declare state: ConnectionState | undefined;
  /** This user's outbox as the page shows it. */
  declare entries: readonly OutboxEntry[];
  /** False while a page signed out in another tab stays up: its writes wait for the next sign-in. */
  declare signedIn: boolean;
  declare now: number;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.now = Date.now();
    this.entries = [];
    this.signedIn = true;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A new state brings a new retry time: count down from now, not from the last tick.
    if (changed.has('state')) this.now = Date.now();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('state')) return;
    // A countdown to the next retry needs a clock only while one is scheduled.
    clearInterval(this.ticker);
    if (this.state?.nextRetryAt) this.ticker = setInterval(() => (this.now = Date.now()), 1000);
  }

  private ask(type: 'retry' | 'sync-now'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }

  private content(state: ConnectionState, restDown: boolean): unknown {
    const nextTry =
      state.nextRetryAt === null
        ? ''
        : ` Next try in ${Math.max(0, Math.ceil((state.nextRetryAt - this.now) / 1000))} s.`;
    // The server's own reason (a quota, an expired sign-in), when it gave one.
    const reason = connectionReason(state);
    const why = reason ? html`<span class="reason">${reason}</span>` : nothing;
    const down = outage(state, restDown);
    const what = down === 'none' ? nothing : html`<span class="outage">${OUTAGE_WORDS[down]}</span>`;
    switch (state.kind) {
      case 'connected':
      case 'disconnected':
        return down === 'rest' ? what : nothing;
      case 'connecting':
        return html`<span class="spinner" aria-hidden="true"></span>Connecting…`;
      case 'reconnecting':
        return html`<span class="spinner" aria-hidden="true"></span>Reconnecting…${why} ${what}<span
            class="detail"
            >${nextTry}</span
          >`;
      case 'offline':
        return html`Offline – changes will sync when you reconnect`;
      case 'error':
        return html`Offline – changes will sync when you reconnect. ${why}
          <span class="detail">Automatic retries stopped; details on the Diagnostics page.</span>
          <button @click=${() => this.ask('retry')}>Retry</button>`;
      default:
        return assertNever(state);
    }
  }

  /** "3 changes waiting to sync: Server unreachable" and Sync now, when something is held up. */
  private waiting(): unknown {
    const count = waitingToSync(this.entries, this.state?.kind === 'connected');
    if (!count) return nothing;
    const why = holdUp(this.entries, { signedIn: this.signedIn, offline: this.state?.kind === 'offline' });
    return html`<span class="waiting"
      >${count}${why ? html`: <span class="hold-up">${HOLD_UP_WORDS[why]}</span>` : nothing}
      ${this.signedIn ? html`<button @click=${() => this.ask('sync-now')}>Sync now</button>` : nothing}</span
    >`;
  }

  override render(): unknown {
    const content = this.state ? this.content(this.state, serverUnreachable(this.entries)) : nothing;
    const waiting = this.waiting();
    const shown = content !== nothing || waiting !== nothing;
    // Connected with writes still held up (REST failing): a quiet bar with the count alone.
    const kind = content === nothing ? 'quiet' : (this.state?.kind ?? '');
    return html`<div role="status" aria-live="polite" class=${shown ? `bar ${kind}` : 'hidden'}>
      ${content} ${waiting}
    </div>`;
  }

  static override styles = [
    base,
    css`
      .hidden {
        display: none;
      }
      /* Centred by margins, not a transform: a box starting at left: 50% could only use half the width. */
      .bar {
        position: fixed;
        left: 1rem;
        right: 1rem;
        bottom: 1rem;
        width: fit-content;
        margin-inline: auto;
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
        justify-content: center;
        background: var(--inverse-bg);
        color: var(--inverse-fg);
        padding: 0.6rem 1rem;
        border-radius: 999px;
        box-shadow: var(--shadow);
        z-index: 20;
        font-size: 0.95rem;
      }
      .bar.offline,
      .bar.error {
        background: var(--inverse-alert-bg);
      }
      .detail {
        opacity: 0.85;
      }
      .waiting {
        opacity: 0.9;
        font-size: 0.9em;
      }
      button {
        padding: 0.2rem 0.9rem;
        border-radius: 999px;
      }
      .spinner {
        width: 0.9rem;
        height: 0.9rem;
        border: 2px solid color-mix(in srgb, currentColor 40%, transparent);
        border-top-color: currentColor;
        border-radius: 50%;
        animation: spin 0.8s linear infinite;
      }
      @keyframes spin {
        to {
          transform: rotate(360deg);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        .spinner {
          animation: none;
        }
      }
    `,
  ];
}
customElements.define('connection-indicator', ConnectionIndicator);
