// HS256 JWTs as Supabase issues them: the anon and service_role API keys, and user access tokens.
import { SignJWT, jwtVerify, errors } from 'jose';

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

  /** An API key (anon or service_role) valid for ten years, as `supabase start` prints them. */
  apiKey(role: 'anon' | 'service_role'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.sign({ role, iss: 'supabase-demo' }, now + 10 * 365 * 24 * 3600);
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
