// Embedded Postgres (PGlite) with Supabase's platform pieces and the project's migrations applied,
// and the one way requests touch it: a transaction run as the caller's role with its JWT claims.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Claims, Role } from '../auth/jwt.js';

export type { Transaction };

const MIGRATIONS_DIR = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));
const PLATFORM_SQL = fileURLToPath(new URL('./platform.sql', import.meta.url));
const MIGRATION_FILE = /^(\d+)_([\w-]+)\.sql$/;

// SET ROLE takes no parameters; the role comes from this fixed map, never from input.
const SET_ROLE: Record<Role, string> = {
  anon: 'set local role anon',
  authenticated: 'set local role authenticated',
  service_role: 'set local role service_role',
};

export class Database {
  private constructor(readonly pg: PGlite) {}

  static async open(dataDir: string | undefined): Promise<Database> {
    const pg = dataDir === undefined ? await PGlite.create() : await PGlite.create({ dataDir });
    const db = new Database(pg);
    await pg.exec(await readFile(PLATFORM_SQL, 'utf8'));
    await db.applyMigrations();
    return db;
  }

  /** Applies supabase/migrations in file-name order, each once, as `supabase db push` would. */
  private async applyMigrations(): Promise<void> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => MIGRATION_FILE.test(f)).sort();
    const applied = await this.pg.query<{ version: string }>(
      'select version from supabase_migrations.schema_migrations',
    );
    const done = new Set(applied.rows.map((r) => r.version));
    for (const file of files) {
      const [, version = '', name = ''] = MIGRATION_FILE.exec(file) ?? [];
      if (done.has(version)) continue;
      const sql = await readFile(MIGRATIONS_DIR + file, 'utf8');
      await this.pg.transaction(async (tx) => {
        await tx.exec(sql);
        await tx.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
          version,
          name,
        ]);
      });
    }
  }

  /**
   * Runs `work` in one transaction as the JWT's role with `request.jwt.claims` set, so RLS
   * decides what it sees. PGlite runs one transaction at a time; callers queue.
   */
  asUser<T>(claims: Claims, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
      await tx.exec(SET_ROLE[claims.role]);
      return work(tx);
    });
  }

  close(): Promise<void> {
    return this.pg.close();
  }
}
