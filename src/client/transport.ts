// How a tab reaches a broker: a SharedWorker shared by the profile, or one inside this page.
import type { BrokerApi, BusEvent, SessionScope, TransportMode } from '../../contract/protocol.js';

export interface Transport {
  readonly mode: TransportMode;
  readonly reason: string;
  readonly generation: number;
  readonly broker: BrokerApi;
  /** Delivers one user's bus events to `handler`; returns the unsubscribe. */
  listen(userId: string, handler: (event: BusEvent) => void): () => void;
  /** Delivers one session scope's sign-ins and sign-outs (unchecked: see parseAuthChange). */
  listenAuth(scope: SessionScope, handler: (change: unknown) => void): () => void;
  close(): void;
}
