import { describe, expect, it } from 'vitest';
import {
  TOKEN_MARGIN_MS,
  tokenExpiresAt,
  tokenFresh,
  tokenMargin,
} from '../../../worker/core/token-expiry.js';

const jwt = (claims: object): string =>
  ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'sig'].join('.');

describe('token expiry', () => {
  it('reads exp from a JWT, whatever its base64url padding', () => {
    for (const sub of ['a', 'ab', 'abc', 'ü-?>']) {
      expect(tokenExpiresAt(jwt({ sub, exp: 1_900_000_000 }))).toBe(1_900_000_000_000);
    }
  });

  it('treats a token without a readable exp as fresh, so the server decides', () => {
    for (const token of ['', 'not-a-jwt', 'a.%%%.c', jwt({ exp: 'soon' })]) {
      expect(tokenExpiresAt(token)).toBeUndefined();
      expect(tokenFresh(tokenExpiresAt(token), Date.now())).toBe(true);
    }
  });

  it('is stale a few seconds before exp, so a write never leaves with a token about to lapse', () => {
    const exp = 1_000_000;
    expect(tokenFresh(exp, exp - 10_000)).toBe(true);
    expect(tokenFresh(exp, exp - 1_000)).toBe(false);
    expect(tokenFresh(exp, exp + 1)).toBe(false);
  });

  it('keeps the margin inside a short-lived token’s renewal lead: a tenth of its life, at most 5 s', () => {
    expect(tokenMargin(jwt({ iat: 1000, exp: 4600 }))).toBe(TOKEN_MARGIN_MS);
    expect(tokenMargin(jwt({ iat: 1000, exp: 1020 }))).toBe(2000);
    expect(tokenMargin(jwt({ exp: 1020 }))).toBe(TOKEN_MARGIN_MS);
  });
});
