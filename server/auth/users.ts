// The auth schema's rows: users, sessions and rotating refresh tokens (stored hashed).
import { createHash, randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';

export interface UserRow {
  id: string;
  aud: string;
  role: string;
  email: string;
  encrypted_password: string;
  email_confirmed_at: Date | null;
  raw_app_meta_data: Record<string, unknown>;
  raw_user_meta_data: Record<string, unknown>;
  is_anonymous: boolean;
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type RefreshOutcome =
  | { kind: 'rotated'; userId: string; sessionId: string; token: string }
  | { kind: 'not_found' }
  | { kind: 'reused' };

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (): string => randomBytes(24).toString('base64url');

export class UserStore {
  constructor(private readonly pg: PGlite) {}

  async create(
    email: string,
    passwordHash: string,
    metadata: Record<string, unknown>,
  ): Promise<UserRow | undefined> {
    const result = await this.pg.query<UserRow>(
      `insert into auth.users (email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
       values ($1, $2, now(), $3, $4)
       on conflict (email) do nothing
       returning *`,
      [email, passwordHash, { provider: 'email', providers: ['email'] }, metadata],
    );
    return result.rows[0];
  }

  async byEmail(email: string): Promise<UserRow | undefined> {
    return (await this.pg.query<UserRow>('select * from auth.users where email = $1', [email])).rows[0];
  }

  async byId(id: string): Promise<UserRow | undefined> {
    return (await this.pg.query<UserRow>('select * from auth.users where id = $1', [id])).rows[0];
  }

  async updateMetadata(id: string, metadata: Record<string, unknown>): Promise<UserRow | undefined> {
    const result = await this.pg.query<UserRow>(
      `update auth.users set raw_user_meta_data = raw_user_meta_data || $2, updated_at = now()
       where id = $1 returning *`,
      [id, metadata],
    );
    return result.rows[0];
  }

  async updatePassword(id: string, passwordHash: string): Promise<void> {
    await this.pg.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [
      id,
      passwordHash,
    ]);
  }

  /** A new session with its first refresh token. */
  async startSession(userId: string): Promise<{ sessionId: string; token: string }> {
    const token = newToken();
    const sessionId = await this.pg.transaction(async (tx) => {
      await tx.query('update auth.users set last_sign_in_at = now() where id = $1', [userId]);
      const session = await tx.query<{ id: string }>(
        'insert into auth.sessions (user_id) values ($1) returning id',
        [userId],
      );
      const id = session.rows[0]!.id;
      await tx.query(
        'insert into auth.refresh_tokens (token_hash, session_id, user_id) values ($1, $2, $3)',
        [hash(token), id, userId],
      );
      return id;
    });
    return { sessionId, token };
  }

  async sessionExists(sessionId: string): Promise<boolean> {
    const result = await this.pg.query('select 1 from auth.sessions where id = $1', [sessionId]);
    return result.rows.length === 1;
  }

  /**
   * Exchanges a refresh token for a new one in the same session. A token used again within
   * `reuseSeconds` (two tabs refreshing at once) still works; later reuse means it leaked, and
   * the whole session is revoked, as GoTrue does.
   */
  rotate(token: string, reuseSeconds: number): Promise<RefreshOutcome> {
    return this.pg.transaction(async (tx) => {
      const found = await tx.query<{ session_id: string; user_id: string; revoked_for: number | null }>(
        `select session_id, user_id, extract(epoch from now() - revoked_at)::float8 as revoked_for
         from auth.refresh_tokens where token_hash = $1 for update`,
        [hash(token)],
      );
      const row = found.rows[0];
      if (!row) return { kind: 'not_found' } as const;
      if (row.revoked_for !== null && row.revoked_for > reuseSeconds) {
        await tx.query('delete from auth.sessions where id = $1', [row.session_id]);
        return { kind: 'reused' } as const;
      }
      await tx.query(
        'update auth.refresh_tokens set revoked_at = coalesce(revoked_at, now()) where token_hash = $1',
        [hash(token)],
      );
      const next = newToken();
      await tx.query(
        'insert into auth.refresh_tokens (token_hash, session_id, user_id) values ($1, $2, $3)',
        [hash(next), row.session_id, row.user_id],
      );
      return { kind: 'rotated', userId: row.user_id, sessionId: row.session_id, token: next } as const;
    });
  }

  /** Ends sessions: `local` the current one, `global` all of the user's, `others` all but the current. */
  async endSessions(userId: string, sessionId: string, scope: 'local' | 'global' | 'others'): Promise<void> {
    if (scope === 'local') await this.pg.query('delete from auth.sessions where id = $1', [sessionId]);
    else if (scope === 'global')
      await this.pg.query('delete from auth.sessions where user_id = $1', [userId]);
    else
      await this.pg.query('delete from auth.sessions where user_id = $1 and id <> $2', [userId, sessionId]);
  }
}
