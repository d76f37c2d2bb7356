// One subscribed band over time, as a pure function over its phase (what connection-state.ts is
// for the socket). The band feed feeds events in and acts on the phases that come out: when a band
// becomes live, its waiters resolve and the tabs hear band:live. A band leaves the feed (released,
// left, signed out) rather than reaching a final phase, and one whose watch is refused (RLS hides
// it) never enters it: no phase here is a failure. The catch-up never gives up (it waits out an
// unreachable log), and a channel that fails breaks the whole socket, whose next attempt rejoins
// every band: nothing fails one band alone.
import { assertNever } from '../../contract/assert-never.js';
import type { BandStatus } from '../../contract/protocol.js';

export type BandPhase =
  /** Not caught up yet, or live before its socket went down: waiting to be caught up (again). */
  | { kind: 'joining' }
  /** A catch-up pass reads the log over REST, and the band has not been live since it began. */
  | { kind: 'catching-up' }
  /**
   * Caught up: every event after its last seq reaches the tabs, in order. A socket lost later
   * loses nothing: the band rides along with the next socket, whose subscribe catches it up again.
   */
  | { kind: 'live' };

export type BandLifecycleEvent =
  /** A catch-up pass began (its channel delivers now, or a hole needs filling). */
  | { type: 'catch-up-started' }
  /** A catch-up pass reached the log's head with no event held back. */
  | { type: 'caught-up' }
  /** The socket went down, and its channels with it. */
  | { type: 'socket-lost' };

export const JOINING: BandPhase = { kind: 'joining' };

/** The same phase object when an event does not apply (late, or repeated), so callers can tell. */
export function reduceBand(phase: BandPhase, event: BandLifecycleEvent): BandPhase {
  switch (event.type) {
    case 'catch-up-started':
      // A live band filling a hole stays live: its tabs miss nothing meanwhile.
      return phase.kind === 'joining' ? { kind: 'catching-up' } : phase;
    case 'caught-up':
      // Also from joining: a pass that began while live ended after the socket went down. The
      // next subscribe catches up again, so nothing after the last seq is missed.
      return phase.kind === 'live' ? phase : { kind: 'live' };
    case 'socket-lost':
      // A pass under way goes on: it reads over REST, not over the socket.
      return phase.kind === 'live' ? JOINING : phase;
    default:
      return assertNever(event);
  }
}

/** How diagnostics name a phase. */
export function statusOf(phase: BandPhase): BandStatus {
  switch (phase.kind) {
    case 'joining':
    case 'catching-up':
    case 'live':
      return phase.kind;
    default:
      return assertNever(phase);
  }
}
