// Change capture for tables in the supabase_realtime publication. PGlite has no logical
// replication, so the backend (not the migrations) installs an AFTER row trigger on each published
// table that appends the change to realtime.changes and NOTIFYs; after commit the queue is drained
// in id order, a batch at a time, and the drained rows are deleted. PGlite runs one transaction at
// a time, so id order is commit order.
import type { PGlite } from '@electric-sql/pglite';
import type { Database } from '../db/database.js';
import type { ChangeRecord } from './protocol.js';

export interface PublishedTable {
  schema: string;
  table: string;
  /** Column name → type name as realtime-js casts it (int4, uuid, timestamptz, jsonb …). */
  columns: { name: string; type: string }[];
  primaryKey: string[];
  /** SQL type of each primary-key column (format_type), for the RLS gate's key lookups. */
  keyTypes: string[];
  rlsEnabled: boolean;
}

export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const CHANNEL = 'backline_realtime_changes';
const BATCH = 500;

const SETUP = `
create schema if not exists realtime;
revoke all on schema realtime from public;
create table if not exists realtime.changes (
  id bigserial primary key,
  schema_name text not null,
  table_name text not null,
  type text not null,
  record jsonb,
  old_record jsonb,
  committed_at timestamptz not null default clock_timestamp()
);
create or replace function realtime.capture() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    insert into realtime.changes (schema_name, table_name, type, record, old_record)
    values (
      tg_table_schema, tg_table_name, tg_op,
      case when tg_op <> 'DELETE' then to_jsonb(new) end,
      case when tg_op <> 'INSERT' then to_jsonb(old) end
    );
    perform pg_notify('${CHANNEL}', '');
    return null;
  end $$;
`;

export class ChangeCapture {
  private draining: Promise<void> | undefined;
  private again = false;
  private unlisten: (() => Promise<void>) | undefined;
  private deliver: (changes: ChangeRecord[]) => Promise<void> = () => Promise.resolve();

  private constructor(
    private readonly pg: PGlite,
    readonly tables: Map<string, PublishedTable>,
  ) {}

  /** Creates the queue and the triggers; nothing is drained before `start`. */
  static async install(db: Database): Promise<ChangeCapture> {
    const pg = db.pg;
    await pg.exec(SETUP);
    const tables = await publishedTables(pg);
    for (const t of tables.values()) {
      const target = `${quote(t.schema)}.${quote(t.table)}`;
      await pg.exec(
        `drop trigger if exists backline_realtime_capture on ${target};
         create trigger backline_realtime_capture after insert or update or delete on ${target}
           for each row execute function realtime.capture();`,
      );
    }
    return new ChangeCapture(pg, tables);
  }

  /** Drains every change committed from now on into `deliver`, a batch at a time, in order. */
  async start(deliver: (changes: ChangeRecord[]) => Promise<void>): Promise<void> {
    this.deliver = deliver;
    this.unlisten = await this.pg.listen(CHANNEL, () => this.drain());
    this.drain();
  }

  /** Drains the queue; a NOTIFY during a drain makes it run once more. */
  drain(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drainAll()
      // A failed drain (the database closing under it) must not take the process down; the rows
      // stay queued and the next NOTIFY drains them.
      .catch((error: unknown) => console.error('realtime: change drain failed', error))
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.drain();
        }
      });
  }

  async close(): Promise<void> {
    await this.unlisten?.();
    await this.draining;
  }

  private async drainAll(): Promise<void> {
    for (;;) {
      const batch = await this.pg.query<{
        schema_name: string;
        table_name: string;
        type: ChangeRecord['type'];
        record: Record<string, unknown> | null;
        old_record: Record<string, unknown> | null;
        committed_at: string;
      }>(
        `with taken as (
           delete from realtime.changes where id in (select id from realtime.changes order by id limit ${BATCH})
           returning *
         )
         select schema_name, table_name, type, record, old_record,
                to_char(committed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as committed_at
         from taken order by id`,
      );
      if (batch.rows.length > 0) {
        await this.deliver(
          batch.rows.map((row) => ({
            schema: row.schema_name,
            table: row.table_name,
            type: row.type,
            commitTimestamp: row.committed_at,
            record: row.record,
            oldRecord: row.old_record,
          })),
        );
      }
      if (batch.rows.length < BATCH) return;
    }
  }
}

async function publishedTables(pg: PGlite): Promise<Map<string, PublishedTable>> {
  const rows = await pg.query<{
    schema: string;
    table: string;
    column: string;
    type: string;
    sql_type: string;
    pk: boolean;
    rls: boolean;
  }>(
    `select n.nspname as schema, c.relname as table, a.attname as column, t.typname as type,
            format_type(a.atttypid, a.atttypmod) as sql_type,
            coalesce(a.attnum = any(i.indkey), false) as pk, c.relrowsecurity as rls
     from pg_publication_tables p
     join pg_namespace n on n.nspname = p.schemaname
     join pg_class c on c.relnamespace = n.oid and c.relname = p.tablename
     join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
     join pg_type t on t.oid = a.atttypid
     left join pg_index i on i.indrelid = c.oid and i.indisprimary
     where p.pubname = 'supabase_realtime'
     order by n.nspname, c.relname, a.attnum`,
  );
  const tables = new Map<string, PublishedTable>();
  for (const row of rows.rows) {
    const key = `${row.schema}.${row.table}`;
    let table = tables.get(key);
    if (!table) {
      table = {
        schema: row.schema,
        table: row.table,
        columns: [],
        primaryKey: [],
        keyTypes: [],
        rlsEnabled: row.rls,
      };
      tables.set(key, table);
    }
    table.columns.push({ name: row.column, type: row.type });
    if (row.pk) {
      table.primaryKey.push(row.column);
      table.keyTypes.push(row.sql_type);
    }
  }
  return tables;
}
