// Per-subscriber RLS: can these claims select these rows right now? Asked as the subscriber's role
// with its request.jwt.claims, by primary key, as Supabase does. PGlite runs one transaction at a
// time, so the cost that matters is transactions: one per distinct claims and table for a whole
// drained batch of changes, never one per subscriber or per change.
import type { Claims } from '../auth/jwt.js';
import type { Database } from '../db/database.js';
import { quote, type PublishedTable } from './change-capture.js';

/** A row to check, by its primary-key values in the table's key order. */
export interface RowKey {
  table: PublishedTable;
  key: unknown[];
}

export class RlsGate {
  /** Row checks answered: one per distinct claims and change. */
  checks = 0;
  /** Transactions those checks took. */
  queries = 0;

  constructor(private readonly db: Database) {}

  /** Indexes into `rows` of the rows `claims` can see. */
  async visible(claims: Claims, rows: readonly RowKey[]): Promise<Set<number>> {
    const seen = new Set<number>();
    if (claims.exp !== undefined && claims.exp * 1000 <= Date.now()) return seen;
    const byTable = new Map<PublishedTable, number[]>();
    rows.forEach((row, i) => {
      const list = byTable.get(row.table);
      if (list) list.push(i);
      else byTable.set(row.table, [i]);
    });
    for (const [table, indexes] of byTable) {
      this.checks += indexes.length;
      this.queries++;
      const keys = indexes.map((i) => {
        const entry: Record<string, unknown> = { i };
        table.primaryKey.forEach((column, c) => (entry[column] = rows[i]!.key[c]));
        return entry;
      });
      try {
        const result = await this.db.asUser(claims, (tx) =>
          tx.query<{ i: number }>(lookupSql(table), [JSON.stringify(keys)]),
        );
        for (const { i } of result.rows) seen.add(i);
      } catch (error) {
        // A role without SELECT on the table sees nothing, as on Supabase.
        if (!isPermissionDenied(error)) throw error;
      }
    }
    return seen;
  }
}

/** Joins the keys (jsonb, typed by the table's key types) to the table as the subscriber. */
function lookupSql(table: PublishedTable): string {
  const columns = table.primaryKey.map((c, i) => `${quote(c)} ${table.keyTypes[i] ?? 'text'}`).join(', ');
  const on = table.primaryKey.map((c) => `t.${quote(c)} = k.${quote(c)}`).join(' and ');
  return `select k.i from jsonb_to_recordset($1::jsonb) as k(i int, ${columns})
          join ${quote(table.schema)}.${quote(table.table)} t on ${on}`;
}

const isPermissionDenied = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '42501';
