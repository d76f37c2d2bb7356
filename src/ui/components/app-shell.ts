// The app: who is signed in, which screen is showing (hash routes), the connection indicator and
// the toasts. Connection toasts follow the policy: lost and restored, retries exhausted. Signing
// out with unsent changes asks first; signed out in another tab, the page stays until the user
// leaves it, saying why (auth-view.ts).
import { LitElement, css, html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { AuthUser, ConnectionState } from '../../client/index.js';
import { OutboxUpdates } from '../outbox-view.js';
import type { Services } from '../services.js';
import { LOADING, reduceAuthView, unsentWarning, type AuthEvent, type AuthView } from '../state/auth-view.js';
import { connectionToasts, toasts } from '../state/toast-policy.js';
import { base } from '../styles.js';
import './band-list-page.js';
import './band-page.js';
import './connection-indicator.js';
import './sign-in-page.js';
import './sign-out-dialog.js';
import type { SignOutDialog } from './sign-out-dialog.js';
import './toast-host.js';

type Route = { kind: 'bands' } | { kind: 'band'; bandId: string } | { kind: 'diagnostics' };

function parseRoute(hash: string): Route {
  const band = /^#\/band\/([0-9a-f-]{36})$/.exec(hash);
  if (band) return { kind: 'band', bandId: band[1]! };
  if (hash === '#/diagnostics') return { kind: 'diagnostics' };
  return { kind: 'bands' };
}

/** Why the user is looking at a signed-out page they did not ask for. */
function signedOutNotice(why: 'elsewhere' | 'expired' | undefined): string | undefined {
  if (why === 'elsewhere') return 'You were signed out in another tab.';
  if (why === 'expired') return 'Your session ended and could not be renewed: please sign in again.';
  return undefined;
}

export class AppShell extends LitElement {
  static override properties = {
    services: { attribute: false },
    auth: { state: true },
    route: { state: true },
    connection: { state: true },
  };
  declare services: Services;
  declare auth: AuthView<AuthUser>;
  declare route: Route;
  declare connection: ConnectionState | undefined;
  /** Whether the user was told the connection is lost (and not yet that it is back). */
  private lost = false;
  /** Bumped when the page must be made anew (see authEvent). */
  private pageGeneration = 0;
  private readonly stop: (() => void)[] = [];

  constructor() {
    super();
    this.route = parseRoute(location.hash);
    this.auth = LOADING;
    // For the pending count: the signed-in user's queued writes, every band.
    new OutboxUpdates(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const onHash = (): void => {
      this.route = parseRoute(location.hash);
      // Moving on from a page kept after a sign-out elsewhere is leaving it.
      this.authEvent({ type: 'left' });
    };
    window.addEventListener('hashchange', onHash);
    this.stop.push(() => window.removeEventListener('hashchange', onHash));
    const { backline } = this.services;
    // Who is signed in is known by the time the services exist; changes come from any tab.
    if (backline.currentUser !== undefined)
      this.authEvent({ type: 'session', session: backline.currentUser });
    this.stop.push(
      backline.on('auth:changed', ({ user, reason }) =>
        this.authEvent({ type: 'session', session: user, expired: reason === 'expired' }),
      ),
    );
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

  private authEvent(event: AuthEvent<AuthUser>): void {
    const before = this.auth.kind;
    const next = reduceAuthView(this.auth, event);
    this.auth = next;
    // Signed in again (in another tab) under a kept page: the broker dropped its watches at the
    // sign-out, so the page starts afresh to watch its band again.
    if (before === 'ended-elsewhere' && next.kind === 'signed-in') this.pageGeneration++;
  }

  /** Asks first when changes have not reached the server yet (they stay queued on this device). */
  private askSignOut(): void {
    const warning = unsentWarning(this.services.outbox.values());
    if (warning === undefined) return void this.signOut();
    const dialog = this.renderRoot.querySelector<SignOutDialog>('sign-out-dialog');
    if (!dialog) return;
    dialog.warning = warning;
    void dialog.ask();
  }

  private async signOut(): Promise<void> {
    this.authEvent({ type: 'sign-out-asked' });
    // Offline (a train), the server cannot revoke the session: the broker signs this browser out anyway.
    try {
      await this.services.backline.signOut();
    } catch {
      this.authEvent({ type: 'sign-out-failed' });
    }
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
    const auth = this.auth;
    switch (auth.kind) {
      case 'loading':
        return html`<p class="muted" role="status">Loading…</p>`;
      case 'signed-out':
        return html`<toast-host .service=${this.services.toasts}></toast-host>
          <sign-in-page .services=${this.services} .notice=${signedOutNotice(auth.why)}></sign-in-page>`;
      case 'signed-in':
      case 'signing-out':
      case 'ended-elsewhere':
        return this.signedInPage(auth.session, auth.kind === 'ended-elsewhere' ? auth.why : undefined);
    }
  }

  /** The app for a user; `ended`: their session ended, the page kept as it was until the user leaves. */
  private signedInPage(user: AuthUser, ended: 'elsewhere' | 'expired' | undefined): unknown {
    return html`
      <toast-host .service=${this.services.toasts}></toast-host>
      <header>
        <a class="brand" href="#/">Backline</a>
        <nav class="row">
          <a href="#/diagnostics">Diagnostics</a>
          <span class="muted">${user.email}</span>
          ${ended ? nothing : html`<button @click=${() => this.askSignOut()}>Sign out</button>`}
        </nav>
      </header>
      ${
        ended
          ? html`<p role="alert" class="ended">
              ${signedOutNotice(ended)} What you typed here stays until you leave this page.
              <button @click=${() => this.authEvent({ type: 'left' })}>Sign in again</button>
            </p>`
          : nothing
      }
      ${keyed(this.pageGeneration, this.page())}
      <connection-indicator
        .state=${this.connection}
        .entries=${this.services.outbox.values()}
        .signedIn=${ended === undefined}
        @retry=${() => void this.services.backline.retry()}
        @sync-now=${() => void this.services.backline.syncNow()}
      ></connection-indicator>
      <sign-out-dialog @sign-out=${() => void this.signOut()}></sign-out-dialog>
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
      /* On a phone the connection bar can take three lines: the page's end still scrolls clear of it. */
      @media (max-width: 640px) {
        :host {
          padding-bottom: 10rem;
        }
      }
      /* One row on a phone too: the email gives way (ellipsis) before anything wraps. */
      header {
        display: flex;
        justify-content: space-between;
        align-items: center;
        gap: 1rem;
        padding: 0.5rem 0;
      }
      .brand {
        font-weight: 800;
        font-size: 1.25rem;
        color: var(--fg);
        text-decoration: none;
        white-space: nowrap;
      }
      nav.row {
        flex-wrap: nowrap;
        min-width: 0;
      }
      nav a {
        display: inline-flex;
        align-items: center;
        min-height: var(--control-height);
        white-space: nowrap;
      }
      nav > span {
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      nav button {
        white-space: nowrap;
      }
      .ended {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        padding: 0.75rem 1rem;
        border: 1px solid var(--line);
        border-left: 4px solid #d97706;
        border-radius: var(--radius);
      }
    `,
  ];
}
customElements.define('backline-app', AppShell);
