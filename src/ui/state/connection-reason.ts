// Why the socket is down, in the user's words, when the server said why (a quota, an expired
// sign-in). Other failures (a dropped network, a missed heartbeat) need no sentence beyond
// "Reconnecting…"; their technical reason stays on the diagnostics page.
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
