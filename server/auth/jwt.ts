// HS256 JWTs as Supabase issues them: the anon and service_role API keys, and user access tokens.
import { SignJWT, jwtVerify, errors } from 'jose';

/** 2032-11-11, the expiry of the Supabase CLI's demo keys. */
const API_KEY_EXPIRES_AT = 1983812996;

export type Role = 'anon' | 'authenticated' | 'service_role';
const ROLES: ReadonlySet<string> = new Set<Role>(['anon', 'authenticated', 'service_role']);

/** Claims every request runs with (`request.jwt.claims` in Postgres). */
export interface Claims {
  role: Role;
  sub?: string;
  exp?: number;
  session_id?: string;
  [claim: string]: unknown;
}

export type VerifyResult =
  { ok: true; claims: Claims } | { ok: false; reason: 'expired' | 'invalid'; message: string };

export class JwtKeys {
  readonly #secret: Uint8Array;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('The JWT secret must be at least 32 characters long');
    this.#secret = new TextEncoder().encode(secret);
  }

  /**
   * An API key with the claims and expiry of the keys `supabase start` prints, so with the dev
   * secret they are byte for byte the Supabase CLI's well-known demo keys, stable across restarts.
   */
  apiKey(role: 'anon' | 'service_role'): Promise<string> {
    return new SignJWT({ iss: 'supabase-demo', role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setExpirationTime(API_KEY_EXPIRES_AT)
      .sign(this.#secret);
  }

  sign(claims: Record<string, unknown>, expiresAt: number): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.#secret);
  }

  async verify(token: string): Promise<VerifyResult> {
    try {
      // jose refuses `alg: none` and any algorithm not listed here.
      const { payload } = await jwtVerify(token, this.#secret, { algorithms: ['HS256'] });
      if (typeof payload['role'] !== 'string' || !ROLES.has(payload['role'])) {
        return { ok: false, reason: 'invalid', message: 'JWT role claim is missing or unknown' };
      }
      if (payload.sub !== undefined && typeof payload.sub !== 'string') {
        return { ok: false, reason: 'invalid', message: 'JWT sub claim must be a string' };
      }
      return { ok: true, claims: payload as Claims };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired', message: 'JWT expired' };
      return {
        ok: false,
        reason: 'invalid',
        message: error instanceof Error ? error.message : 'invalid JWT',
      };
    }
  }
}
