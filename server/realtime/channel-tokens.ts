// A channel's access token: the claims a token grants (or Supabase's refusal), and one timer per
// channel that ends it when its token expires unless a fresh one arrives first.
import type { Claims, JwtKeys } from '../auth/jwt.js';

/** Supabase's words for an expired token; the client's refusal matcher knows them. */
export const TOKEN_EXPIRED = 'InvalidJWTToken: Token has expired';

/** Claims from an access token, or `current` when none is sent; a string is Supabase's refusal. */
export async function claimsFromToken(
  keys: JwtKeys,
  token: unknown,
  current: Claims,
): Promise<Claims | string> {
  if (token === undefined || token === null) return current;
  if (typeof token !== 'string') return 'InvalidJWTToken: access_token must be a string';
  const verified = await keys.verify(token);
  if (verified.ok) return verified.claims;
  return verified.reason === 'expired'
    ? TOKEN_EXPIRED
    : `InvalidJWTToken: The token provided is not a valid JWT (${verified.message})`;
}

export class ExpiryTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Runs `expired` when the claims' `exp` passes; replaces the topic's earlier timer. */
  watch(topic: string, claims: Claims, expired: () => void): void {
    this.clear(topic);
    if (claims.exp === undefined) return;
    // setTimeout holds at most 2^31-1 ms; the apikeys expire years away.
    const ms = Math.min(Math.max(0, claims.exp * 1000 - Date.now()), 2 ** 31 - 1);
    this.timers.set(topic, setTimeout(expired, ms));
  }

  clear(topic: string): void {
    clearTimeout(this.timers.get(topic));
    this.timers.delete(topic);
  }
}
