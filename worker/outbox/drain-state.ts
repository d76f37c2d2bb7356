// When one context's outbox drainer sends, as one value and a pure reducer (partysocket's
// counter-lesson: the flags holdsLock, draining, again and backoffUntil used to be set apart, and
// every bug lived between two of them). The drainer feeds events in and acts on what comes out:
// it starts a pass, arms the wake timer, lets the lock go.
import { assertNever } from '../../contract/assert-never.js';

export type DrainState =
  /** Another context holds the outbox lock and drains; this one queues writes and listens. */
  | { kind: 'standby' }
  /** Holds the lock, no pass running. New writes wait until `backoffUntil` (0: none waits). */
  | { kind: 'idle'; backoffUntil: number }
  /** A pass runs; `again`: something changed meanwhile, so another pass follows this one. */
  | { kind: 'draining'; backoffUntil: number; again: boolean }
  /** Signed out, or the context ended: nothing more is sent, and the lock goes. */
  | { kind: 'stopped' };

export type DrainEvent =
  | { type: 'lock-granted' }
  /** Entries may be sendable now: backoffs cleared, an entry resolved, the wake timer fired. */
  | { type: 'kick' }
  /**
   * A write was queued at `at`. It cannot go before the oldest write, which may be waiting out a
   * backoff (the network is down): then the wake timer drains them in order, and skipping the pass
   * keeps queueing offline cheap (no read of the whole queue per write).
   */
  | { type: 'write-queued'; at: number }
  /** The network is back: no write waits out a backoff any more. */
  | { type: 'backoff-cleared' }
  /** A pass ended; the oldest write waits until `wakeAt` if it is backing off. */
  | { type: 'pass-ended'; wakeAt: number | undefined }
  /** A pass stopped short for a fresh token (a tab is asked; setSession wakes the drainer). */
  | { type: 'held-for-token' }
  | { type: 'stop' };

export const STANDBY: DrainState = { kind: 'standby' };

/** The same state object when an event changes nothing, so the drainer can tell. */
export function reduceDrain(state: DrainState, event: DrainEvent): DrainState {
  if (state.kind === 'stopped') return state;
  switch (event.type) {
    case 'stop':
      return { kind: 'stopped' };
    case 'lock-granted':
      return state.kind === 'standby' ? { kind: 'draining', backoffUntil: 0, again: false } : state;
    case 'kick':
      return drainNow(state);
    case 'write-queued':
      return state.kind !== 'standby' && event.at < state.backoffUntil ? state : drainNow(state);
    case 'backoff-cleared':
      return state.kind === 'standby' || state.backoffUntil === 0 ? state : { ...state, backoffUntil: 0 };
    case 'pass-ended':
      return passOver(state, event.wakeAt ?? 0);
    case 'held-for-token':
      // How long the queue backs off was not read: it stays as it was.
      return state.kind === 'draining' ? passOver(state, state.backoffUntil) : state;
    default:
      return assertNever(event);
  }
}

/** Did this transition start a pass (the first, or the one a change during the last one asked for)? */
export function startsPass(previous: DrainState, next: DrainState): boolean {
  if (next.kind !== 'draining') return false;
  return previous.kind !== 'draining' || (previous.again && !next.again);
}

function drainNow(state: Exclude<DrainState, { kind: 'stopped' }>): DrainState {
  switch (state.kind) {
    case 'standby':
      return state;
    case 'idle':
      return { kind: 'draining', backoffUntil: state.backoffUntil, again: false };
    case 'draining':
      return state.again ? state : { ...state, again: true };
    default:
      return assertNever(state);
  }
}

function passOver(state: Exclude<DrainState, { kind: 'stopped' }>, backoffUntil: number): DrainState {
  if (state.kind !== 'draining') return state;
  return state.again ? { kind: 'draining', backoffUntil, again: false } : { kind: 'idle', backoffUntil };
}
