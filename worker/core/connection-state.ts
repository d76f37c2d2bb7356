// The socket's transitions as a pure function over its state (contract/connection-state.ts). Timers, sockets and browser
// events live in connection.ts; they feed events in here and act on the states that come out.
import { DEFAULT_BACKOFF, nextRetryDelay, type BackoffPolicy } from './backoff.js';
import { assertNever } from '../../contract/assert-never.js';
import {
  INITIAL_STATE,
  type ConnectionError,
  type ConnectionState,
} from '../../contract/connection-state.js';

export type ConnectionEvent =
  | { type: 'start' }
  | { type: 'opened'; at: number }
  | { type: 'failed'; error: ConnectionError; random: number }
  | { type: 'retry-due'; at: number }
  /** Manual retry, the browser going online, or a tab becoming visible. */
  | { type: 'retry-now' }
  | { type: 'offline' }
  | { type: 'online' }
  | { type: 'stop' };

/** Is a connection attempt meant to be running in this state? */
export function isAttempting(state: ConnectionState): boolean {
  return state.kind === 'connecting' || (state.kind === 'reconnecting' && state.nextRetryAt === null);
}

export function reduce(
  state: ConnectionState,
  event: ConnectionEvent,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): ConnectionState {
  switch (event.type) {
    case 'stop':
      return INITIAL_STATE;
    case 'start':
      return state.kind === 'disconnected'
        ? { ...state, kind: 'connecting', attempt: 0, nextRetryAt: null }
        : state;
    case 'opened':
      return isAttempting(state)
        ? { kind: 'connected', since: event.at, attempt: 0, nextRetryAt: null, lastError: state.lastError }
        : state;
    case 'failed':
      return failed(state, event.error, event.random, policy);
    case 'retry-due':
      return state.kind === 'reconnecting' && state.nextRetryAt !== null && event.at >= state.nextRetryAt
        ? { ...state, nextRetryAt: null }
        : state;
    case 'retry-now':
      if (state.kind === 'error') return { ...state, kind: 'reconnecting', attempt: 0, nextRetryAt: null };
      if (state.kind === 'reconnecting') return { ...state, nextRetryAt: null };
      return state;
    case 'offline':
      return state.kind === 'disconnected' ? state : { ...state, kind: 'offline', nextRetryAt: null };
    case 'online':
      return state.kind === 'offline'
        ? { ...state, kind: 'reconnecting', attempt: 0, nextRetryAt: null }
        : state;
    default:
      return assertNever(event);
  }
}

function failed(
  state: ConnectionState,
  error: ConnectionError,
  random: number,
  policy: BackoffPolicy,
): ConnectionState {
  switch (state.kind) {
    case 'disconnected':
    case 'offline':
    case 'error':
      // Nothing is trying; a late failure from a closed socket changes nothing but the record.
      return { ...state, lastError: error };
    case 'connected':
    case 'connecting':
    case 'reconnecting': {
      const attempt = state.kind === 'connected' ? 1 : state.attempt + 1;
      if (attempt > policy.maxAttempts)
        return { kind: 'error', attempt, nextRetryAt: null, lastError: error };
      const delay = nextRetryDelay(attempt, () => random, policy);
      return { kind: 'reconnecting', attempt, nextRetryAt: error.at + delay, lastError: error };
    }
    default:
      return assertNever(state);
  }
}
