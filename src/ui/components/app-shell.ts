// The app: who is signed in, which screen is showing (hash routes), the connection indicator and
// the toasts. Connection toasts follow the policy: lost and restored, retries exhausted.
import { LitElement, css, html, nothing } from 'lit';
import type { Session } from '@supabase/supabase-js';
import type { ConnectionState } from '../../client/index.js';
import { OutboxUpdates } from '../outbox-view.js';
import type { Services } from '../services.js';
import { connectionToasts, toasts } from '../state/toast-policy.js';
import { base } from '../styles.js';
import './band-list-page.js';
import './band-page.js';
import './connection-indicator.js';
import './sign-in-page.js';
import './toast-host.js';

type Route = { kind: 'bands' } | { kind: 'band'; bandId: string } | { kind: 'diagnostics' };

function parseRoute(hash: string): Route {
  const band = /^#\/band\/([0-9a-f-]{36})$/.exec(hash);
  if (band) return { kind: 'band', bandId: band[1]! };
  if (hash === '#/diagnostics') return { kind: 'diagnostics' };
  return { kind: 'bands' };
}

export class AppShell extends LitElement {
  static override properties = {
    services: { attribute: false },
    session: { state: true },
    route: { state: true },
    connection: { state: true },
  };
  declare services: Services;
  declare session: Session | null | undefined;
  declare route: Route;
  declare connection: ConnectionState | undefined;
  /** Whether the user was told the connection is lost (and not yet that it is back). */
  private lost = false;
  private readonly stop: (() => void)[] = [];

  constructor() {
    super();
    this.route = parseRoute(location.hash);
    // For the pending count: the signed-in user's queued writes, every band.
    new OutboxUpdates(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const onHash = (): void => void (this.route = parseRoute(location.hash));
    window.addEventListener('hashchange', onHash);
    this.stop.push(() => window.removeEventListener('hashchange', onHash));
    const { data } = this.services.supabase.auth.onAuthStateChange(
      (_event, session) => (this.session = session),
    );
    this.stop.push(() => data.subscription.unsubscribe());
    const { backline } = this.services;
    this.stop.push(
      backline.on('realtime:state-changed', (state) => this.connectionChanged(state)),
      backline.on('realtime:max-retries-exceeded', () =>
        this.services.toasts.show(toasts.retriesExhausted(() => void backline.retry())),
      ),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop.splice(0).forEach((undo) => undo());
  }

  private connectionChanged(state: ConnectionState): void {
    this.connection = state;
    const { lost, dismiss, show } = connectionToasts(state, this.lost);
    this.lost = lost;
    dismiss.forEach((key) => this.services.toasts.dismissKey(key));
    if (show) this.services.toasts.show(show);
  }

  private async signOut(): Promise<void> {
    const { auth } = this.services.supabase;
    // Offline (a train), the server cannot revoke the session: sign out of this browser anyway.
    const { error } = await auth.signOut();
    if (error) await auth.signOut({ scope: 'local' });
    location.hash = '#/';
  }

  private page(): unknown {
    switch (this.route.kind) {
      case 'bands':
        return html`<band-list-page .services=${this.services}></band-list-page>`;
      case 'band':
        // Keyed by band: a new band id is a new page with its own watch.
        return html`${[this.route.bandId].map(
          (bandId) => html`<band-page .services=${this.services} .bandId=${bandId}></band-page>`,
        )}`;
      case 'diagnostics':
        // uPlot and the page load only when someone opens diagnostics.
        void import('./diagnostics-page.js');
        return html`<diagnostics-page .services=${this.services}></diagnostics-page>`;
    }
  }

  override render(): unknown {
    if (this.session === undefined) return html`<p class="muted" role="status">Loading…</p>`;
    return html`
      <toast-host .service=${this.services.toasts}></toast-host>
      ${
        this.session
          ? html`<header>
                <a class="brand" href="#/">Backline</a>
                <nav class="row">
                  <a href="#/diagnostics">Diagnostics</a>
                  <span class="muted">${this.session.user.email}</span>
                  <button @click=${() => void this.signOut()}>Sign out</button>
                </nav>
              </header>
              ${this.page()}
              <connection-indicator
                .state=${this.connection}
                .entries=${this.services.outbox.values()}
                @retry=${() => void this.services.backline.retry()}
                @sync-now=${() => void this.services.backline.syncNow()}
              ></connection-indicator>`
          : html`<sign-in-page .services=${this.services}></sign-in-page>`
      }
      ${nothing}
    `;
  }

  static override styles = [
    base,
    css`
      :host {
        display: block;
        max-width: 60rem;
        margin: 0 auto;
        padding: 0 1rem 5rem;
      }
      header {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 1rem;
        padding: 1rem 0;
        flex-wrap: wrap;
      }
      .brand {
        font-weight: 800;
        font-size: 1.25rem;
        color: var(--fg);
        text-decoration: none;
      }
      nav a {
        color: var(--accent);
      }
    `,
  ];
}
customElements.define('backline-app', AppShell);
