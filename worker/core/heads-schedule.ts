// When the broker checks its bands' heads (band_heads: one request for every band it watches), as
// a pure function over one state value. A socket can lose a band's last event with nothing after
// it to show the gap (Supabase does not promise delivery), so the broker compares each head with
// what it delivered after anything suspicious and on a slow timer while live. Triggers that come
// together share one check, a check never overlaps another, and nothing is checked while the
// socket is down. A (re)join needs no check of its own: each band's subscribe reads its log after
// the channel is live (band-feed.ts), which is what a check would set off; it starts the period.
// heads-check.ts runs the timer and the request.
import { assertNever } from '../../contract/assert-never.js';

export interface HeadsPolicy {
  /** Between two checks while nothing is suspicious. */
  periodMs: number;
  /** A heartbeat unanswered this long is a stall; one answered later than this is a late reply. */
  lateReplyMs: number;
  /** Triggers this close together share one check. */
  coalesceMs: number;
  /** After a check that could not read the heads: what made it suspicious still holds. */
  retryMs: number;
}

/**
 * 30 s: two requests a minute per profile while idle, a small share of what the heartbeat sends
 * (12 a minute), and the longest a lost event waits when nothing suspicious was seen at all.
 */
export const HEADS_CHECK_PERIOD_MS = 30_000;

/** A failed check is tried again this soon (REST may be slow or briefly down): 12 a minute at most. */
export const HEADS_RETRY_MS = 5000;

/** The late-reply threshold for a heartbeat interval: half of it, and at least a second. */
export const lateReplyFor = (heartbeatIntervalMs: number): number => Math.max(1000, heartbeatIntervalMs / 2);

export const headsPolicyFor = (heartbeatIntervalMs: number): HeadsPolicy => ({
  periodMs: HEADS_CHECK_PERIOD_MS,
  lateReplyMs: lateReplyFor(heartbeatIntervalMs),
  coalesceMs: 50,
  retryMs: HEADS_RETRY_MS,
});

export type HeadsReason = 'stall' | 'late-reply' | 'visible' | 'online' | 'periodic';

export type HeadsState =
  /** Not live (connecting, reconnecting, offline, signed out): no check. */
  | { kind: 'off' }
  /**
   * Live; the next check is due at `dueAt` for `reason`. `stallAt` is when the heartbeat in
   * flight turns into a stall (null when none is in flight).
   */
  | { kind: 'waiting'; dueAt: number; reason: HeadsReason; stallAt: number | null }
  /** A check is in flight; `again` is a trigger that came meanwhile, so after the heads were read. */
  | { kind: 'checking'; reason: HeadsReason; again: HeadsReason | null; stallAt: number | null };

export type HeadsEvent =
  /** The socket is live: joined, or joined again (its bands caught up from their logs). */
  | { type: 'live'; at: number }
  /** The socket is down, or the user signed out. */
  | { type: 'down' }
  /** A tab became visible, or the browser came back online. */
  | { type: 'suspicious'; reason: 'visible' | 'online'; at: number }
  | { type: 'heartbeat-sent'; at: number }
  | { type: 'heartbeat-answered'; at: number; latencyMs: number }
  /** The timer set for `wakeAt` fired. */
  | { type: 'tick'; at: number }
  /** The check in flight read the heads (whatever it found). */
  | { type: 'checked'; at: number }
  /** The check in flight could not read them. */
  | { type: 'check-failed'; at: number };

export const HEADS_OFF: HeadsState = { kind: 'off' };

/** The same state object when an event changes nothing, so callers can tell. */
export function reduceHeads(state: HeadsState, event: HeadsEvent, policy: HeadsPolicy): HeadsState {
  switch (event.type) {
    case 'live':
      return state.kind === 'off'
        ? { kind: 'waiting', dueAt: event.at + policy.periodMs, reason: 'periodic', stallAt: null }
        : state;
    case 'down':
      return HEADS_OFF;
    case 'suspicious':
      return trigger(state, event.reason, event.at, policy);
    case 'heartbeat-sent':
      return state.kind === 'off' ? state : { ...state, stallAt: event.at + policy.lateReplyMs };
    case 'heartbeat-answered': {
      if (state.kind === 'off') return state;
      const answered = { ...state, stallAt: null };
      // The stall is over: what the socket dropped meanwhile can be seen now.
      return event.latencyMs > policy.lateReplyMs
        ? trigger(answered, 'late-reply', event.at, policy)
        : answered;
    }
    case 'tick':
      return tick(state, event.at);
    case 'checked':
      if (state.kind !== 'checking') return state;
      return state.again
        ? {
            kind: 'waiting',
            dueAt: event.at + policy.coalesceMs,
            reason: state.again,
            stallAt: state.stallAt,
          }
        : { kind: 'waiting', dueAt: event.at + policy.periodMs, reason: 'periodic', stallAt: state.stallAt };
    case 'check-failed':
      if (state.kind !== 'checking') return state;
      // Nothing was compared: the same reason goes again soon, not one whole period later.
      return {
        kind: 'waiting',
        dueAt: event.at + (state.again ? policy.coalesceMs : policy.retryMs),
        reason: state.again ?? state.reason,
        stallAt: state.stallAt,
      };
    default:
      return assertNever(event);
  }
}

/** When the timer must fire next; undefined when nothing is waiting. */
export function wakeAt(state: HeadsState): number | undefined {
  switch (state.kind) {
    case 'off':
      return undefined;
    case 'waiting':
      return Math.min(state.dueAt, state.stallAt ?? Infinity);
    case 'checking':
      return state.stallAt ?? undefined;
    default:
      return assertNever(state);
  }
}

function trigger(state: HeadsState, reason: HeadsReason, at: number, policy: HeadsPolicy): HeadsState {
  switch (state.kind) {
    case 'off':
      return state;
    case 'waiting': {
      const dueAt = at + policy.coalesceMs;
      return dueAt < state.dueAt ? { ...state, dueAt, reason } : state;
    }
    case 'checking':
      return state.again ? state : { ...state, again: reason };
    default:
      return assertNever(state);
  }
}

function tick(state: HeadsState, at: number): HeadsState {
  switch (state.kind) {
    case 'off':
      return state;
    case 'waiting':
      // A stall is acted on once; the next heartbeat sent arms it again.
      if (state.stallAt !== null && at >= state.stallAt)
        return { kind: 'checking', reason: 'stall', again: null, stallAt: null };
      return at >= state.dueAt
        ? { kind: 'checking', reason: state.reason, again: null, stallAt: state.stallAt }
        : state;
    case 'checking':
      return state.stallAt !== null && at >= state.stallAt
        ? { ...state, again: state.again ?? 'stall', stallAt: null }
        : state;
    default:
      return assertNever(state);
  }
}
