// What the user's session does as its socket comes and goes: each new socket joins the channels
// of every band, a lost one takes them down, the tabs hear every state, queued writes retry once
// the server is reachable again, an expired token is asked for afresh, and the heads check runs
// while the socket is live and hears its heartbeat.
import type { ConnectionState } from '../contract/connection-state.js';
import type { BandFeed } from './band-feed.js';
import type { BandMemberships } from './band-memberships.js';
import type { ConnectionHandlers, Heartbeat, SocketAttempt } from './connection.js';
import type { UserBus } from './fanout.js';
import type { HeadsCheck } from './heads-check.js';
import type { UserOutbox } from './outbox/user-outbox.js';
import type { SessionToken } from './session-token.js';
import type { StateHistory } from './state-history.js';

export class ConnectionEffects implements ConnectionHandlers {
  constructor(
    private readonly feed: BandFeed,
    private readonly memberships: BandMemberships,
    private readonly history: StateHistory,
    private readonly bus: UserBus,
    private readonly token: SessionToken,
    private readonly outbox: UserOutbox,
    private readonly heads: HeadsCheck,
  ) {}

  attempt(socket: SocketAttempt): Promise<void> {
    return this.feed.attach(socket, this.memberships);
  }

  stateChanged(state: ConnectionState, previous: ConnectionState): void {
    this.history.record(state);
    if (state.kind !== 'connected' && previous.kind === 'connected') {
      this.feed.socketLost();
      this.heads.down();
    }
    if (state.kind === 'connected' && previous.kind !== 'connected') this.heads.live();
    this.bus.publish({ type: 'realtime:state-changed', state });
    // Back in touch with the server: queued writes need not wait out their backoff.
    if (state.kind === 'connected') this.outbox.wake();
    if (state.kind === 'error') this.bus.publish({ type: 'realtime:max-retries-exceeded', state });
    // An expired token fails every attempt until a fresh one comes: ask for it.
    const error = state.lastError;
    if (error && error !== previous.lastError && (error.code === 'token_expired' || !this.token.fresh()))
      this.token.renew();
  }

  freshToken(withinMs: number): Promise<string> {
    return this.token.freshToken(withinMs);
  }

  heartbeat(beat: Heartbeat): void {
    this.heads.heartbeat(beat);
  }
}
