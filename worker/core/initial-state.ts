// The state every socket starts in. A module of its own so a tab can import it without the
// reducer and the backoff policy behind it (they belong in the worker's bundle, not the tab's).
import type { ConnectionState } from './connection-state.js';

export const INITIAL_STATE: ConnectionState = {
  kind: 'disconnected',
  attempt: 0,
  nextRetryAt: null,
  lastError: null,
};
