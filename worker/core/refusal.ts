// Supabase's refusals, recognised in what the server or the transport said, as codes a tab can
// explain to the user. The wording is Supabase Realtime's (the local backend's
// server/realtime/quotas.ts uses the same strings); anything else keeps its technical code.

import type { RefusalCode } from '../../contract/refusal-codes.js';

const REFUSALS: readonly [RegExp, RefusalCode][] = [
  // The 429 body is not readable by a WebSocket client; `ws` (Node) names the status at least.
  [/Too many connected users|Unexpected server response: 429\b/, 'too_many_connections'],
  [/ChannelRateLimitReached|Too many channels/, 'too_many_channels'],
  [/ClientJoinRateLimitReached|Too many joins per second/, 'too_many_joins'],
  [/Too many messages per second/, 'too_many_messages'],
  [/Token has expired/, 'token_expired'],
];

/** The refusal a failure message reports, if it is one of Supabase's. */
export function refusalCode(message: string): RefusalCode | undefined {
  return REFUSALS.find(([pattern]) => pattern.test(message))?.[1];
}
