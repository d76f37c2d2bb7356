// When an access token expires, read from its `exp` claim. The broker never verifies tokens (the
// server does); it only needs to know when one is no longer worth sending.

function claimsOf(token: string): { exp?: unknown; iat?: unknown } | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))) as {
      exp?: unknown;
    };
  } catch {
    return undefined;
  }
}

/** Epoch ms at which the JWT expires; undefined when it carries no readable `exp`. */
export function tokenExpiresAt(token: string): number | undefined {
  const { exp } = claimsOf(token) ?? {};
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/** A token this close to expiry is refreshed before it is used for writes. */
export const TOKEN_MARGIN_MS = 5_000;

/**
 * The margin for this token: 5 s, or a tenth of a shorter life (a 20-s token is stale 2 s before
 * it expires), so the margin stays inside the lead at which it is renewed (auth/scope-auth.ts).
 */
export function tokenMargin(token: string): number {
  const { exp, iat } = claimsOf(token) ?? {};
  if (typeof exp !== 'number' || typeof iat !== 'number' || exp <= iat) return TOKEN_MARGIN_MS;
  return Math.min(TOKEN_MARGIN_MS, ((exp - iat) * 1000) / 10);
}

export const tokenFresh = (expiresAt: number | undefined, now: number, marginMs = TOKEN_MARGIN_MS): boolean =>
  expiresAt === undefined || expiresAt - marginMs > now;
