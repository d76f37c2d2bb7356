// The realtime socket's state as one value, as the broker reports it to tabs. The transitions
// (a pure reducer over these states) live in worker/core/connection-state.ts.

export interface ConnectionError {
  code: string;
  message: string;
  at: number;
}

interface Common {
  /** Failed attempts in a row (0 once connected). */
  attempt: number;
  /** When the next attempt starts (epoch ms), or null when none is scheduled. */
  nextRetryAt: number | null;
  lastError: ConnectionError | null;
}

export type ConnectionState =
  | ({ kind: 'disconnected' } & Common)
  | ({ kind: 'connecting' } & Common)
  | ({ kind: 'connected'; since: number } & Common)
  /** Lost after being connected: waiting for `nextRetryAt`, or trying when it is null. */
  | ({ kind: 'reconnecting' } & Common)
  /** Gave up after `maxAttempts`; only a manual retry (or online/visible) starts again. */
  | ({ kind: 'error' } & Common)
  | ({ kind: 'offline' } & Common);

export type ConnectionKind = ConnectionState['kind'];

/** The state every socket starts in, and a tab's before it hears from the broker. */
export const INITIAL_STATE: ConnectionState = {
  kind: 'disconnected',
  attempt: 0,
  nextRetryAt: null,
  lastError: null,
};
