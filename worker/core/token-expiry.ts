// When an access token expires, read from its `exp` claim. The broker never verifies tokens (the
// server does); it only needs to know when one is no longer worth sending.

/** Epoch ms at which the JWT expires; undefined when it carries no readable `exp`. */
export function tokenExpiresAt(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))) as {
      exp?: unknown;
    };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** A token this close to expiry is refreshed before it is used for writes. */
export const TOKEN_MARGIN_MS = 5_000;

export const tokenFresh = (expiresAt: number | undefined, now: number): boolean =>
  expiresAt === undefined || expiresAt - TOKEN_MARGIN_MS > now;
