// Why the socket is down, in the user's words, when the server said why (a quota, an expired
// sign-in), and which part of the server is out of reach: the socket (live updates), REST (the
// outbox's sends), or both. Other failures (a dropped network, a missed heartbeat) need no
// sentence beyond that; their technical reason stays on the diagnostics page.
import type { ConnectionState, RefusalCode } from '../../client/index.js';

const REASONS: Record<RefusalCode, string> = {
  too_many_connections: 'The server has too many connections right now.',
  too_many_channels: 'The server refused more channels on this connection.',
  too_many_joins: 'The server is limiting how fast channels can be joined.',
  too_many_messages: 'The server is limiting how many messages can be sent.',
  token_expired: 'Your sign-in expired.',
};

/** The server's reason for the current outage, or undefined when there is nothing to explain. */
export function connectionReason(state: ConnectionState): string | undefined {
  if (state.kind !== 'reconnecting' && state.kind !== 'error') return undefined;
  const code = state.lastError?.code;
  return code !== undefined && Object.hasOwn(REASONS, code) ? REASONS[code as RefusalCode] : undefined;
}

/** What is out of reach: realtime (the socket), REST (writes fail to send), or both. */
export type Outage = 'none' | 'realtime' | 'rest' | 'both';

/** `restDown`: the server has not taken writes it was sent (outbox-summary.ts: serverUnreachable). */
export function outage(state: ConnectionState | undefined, restDown: boolean): Outage {
  const kind = state?.kind;
  const realtimeDown = kind === 'reconnecting' || kind === 'error' || kind === 'offline';
  if (realtimeDown) return restDown ? 'both' : 'realtime';
  return restDown ? 'rest' : 'none';
}

export const OUTAGE_WORDS: Record<Exclude<Outage, 'none'>, string> = {
  realtime: 'Live updates paused.',
  rest: 'Live updates on; the server is not taking changes.',
  both: 'Server unreachable: live updates paused.',
};
