// The user's last connection states, for the diagnostics page: what happened, and why.
import type { ConnectionState } from '../contract/connection-state.js';
import type { StateChange } from '../contract/protocol.js';
import type { Clock } from './environment.js';

/** Enough to see a reconnect storm, little enough to ship to a tab on every diagnostics call. */
const HISTORY_LIMIT = 50;

export class StateHistory {
  private readonly changes: StateChange[] = [];

  constructor(private readonly clock: Clock) {}

  record(state: ConnectionState): void {
    this.changes.push({ at: this.clock.now(), kind: state.kind, error: state.lastError?.message });
    if (this.changes.length > HISTORY_LIMIT) this.changes.shift();
  }

  list(): StateChange[] {
    return [...this.changes];
  }
}
