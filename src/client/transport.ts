// How a tab reaches a broker: a SharedWorker shared by the profile, or one inside this page.
import type { BrokerApi, BusEvent, SessionScope, TransportMode } from '../../contract/protocol.js';

export interface Transport {
  readonly mode: TransportMode;
  readonly reason: string;
  readonly generation: number;
  readonly broker: BrokerApi;
  /**
   * Rejects if the broker cannot start (a SharedWorker whose script failed to load), so the
   * handshake gives up at once instead of at its deadline. Never settles otherwise.
   */
  readonly failed: Promise<never>;
  /**
   * Delivers one user's events to `handler`, a burst of band events as one list in order (what a
   * band message carries), everything else one at a time; returns the unsubscribe.
   */
  listen(userId: string, handler: (events: readonly BusEvent[]) => void): () => void;
  /** After hello: opens the route for band events of the bands this tab watches (shared: its port). */
  openBandRoute(tabId: string): Promise<void>;
  /** Delivers one session scope's sign-ins and sign-outs (unchecked: see parseAuthChange). */
  listenAuth(scope: SessionScope, handler: (change: unknown) => void): () => void;
  close(): void;
}
