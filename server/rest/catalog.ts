// What the REST API may name: tables, columns and functions of the exposed schema, read from
// Postgres' catalog. Every identifier in generated SQL is checked here first, then quoted.
import type { PGlite } from '@electric-sql/pglite';

export const EXPOSED_SCHEMA = 'public';

export interface TableInfo {
  name: string;
  /** Column name → SQL type as format_type prints it. */
  columns: Map<string, string>;
  primaryKey: string[];
}

export interface FunctionArg {
  name: string;
  type: string;
  hasDefault: boolean;
}

export interface FunctionInfo {
  name: string;
  args: FunctionArg[];
  returnsSet: boolean;
  /** 'void', 'scalar' or 'composite' (a table's row type or a record). */
  returnKind: 'void' | 'scalar' | 'composite';
}

export class Catalog {
  private constructor(
    readonly tables: Map<string, TableInfo>,
    readonly functions: Map<string, FunctionInfo[]>,
  ) {}

  static async load(pg: PGlite): Promise<Catalog> {
    const columns = await pg.query<{ table_name: string; column_name: string; type: string }>(
      `select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       where n.nspname = $1 and c.relkind in ('r', 'v', 'm', 'p', 'f')
       order by c.relname, a.attnum`,
      [EXPOSED_SCHEMA],
    );
    const keys = await pg.query<{ table_name: string; column_name: string }>(
      `select c.relname as table_name, a.attname as column_name
       from pg_index i
       join pg_class c on c.oid = i.indrelid
       join pg_namespace n on n.oid = c.relnamespace
       join lateral unnest(i.indkey) with ordinality as k(attnum, ord) on true
       join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
       where n.nspname = $1 and i.indisprimary
       order by c.relname, k.ord`,
      [EXPOSED_SCHEMA],
    );
    const tables = new Map<string, TableInfo>();
    for (const row of columns.rows) {
      let table = tables.get(row.table_name);
      if (!table)
        tables.set(row.table_name, (table = { name: row.table_name, columns: new Map(), primaryKey: [] }));
      table.columns.set(row.column_name, row.type);
    }
    for (const row of keys.rows) tables.get(row.table_name)?.primaryKey.push(row.column_name);

    const fns = await pg.query<{
      name: string;
      arg_names: string[] | null;
      arg_types: string[] | null;
      defaults: number;
      returns_set: boolean;
      return_type: string;
      return_type_kind: string;
    }>(
      `select p.proname as name, p.proargnames as arg_names,
              array(select format_type(t, null) from unnest(p.proargtypes) as t) as arg_types,
              p.pronargdefaults as defaults, p.proretset as returns_set,
              format_type(p.prorettype, null) as return_type, rt.typtype as return_type_kind
       from pg_proc p
       join pg_namespace n on n.oid = p.pronamespace
       join pg_type rt on rt.oid = p.prorettype
       where n.nspname = $1 and p.prokind = 'f' and p.pronargs = coalesce(array_length(p.proargnames, 1), 0)`,
      [EXPOSED_SCHEMA],
    );
    const functions = new Map<string, FunctionInfo[]>();
    for (const row of fns.rows) {
      const types = row.arg_types ?? [];
      const names = row.arg_names ?? [];
      const args = types.map((type, i) => ({
        name: names[i] ?? '',
        type,
        hasDefault: i >= types.length - row.defaults,
      }));
      const returnKind =
        row.return_type === 'void'
          ? 'void'
          : row.return_type_kind === 'c' || row.return_type === 'record'
            ? 'composite'
            : 'scalar';
      const info: FunctionInfo = { name: row.name, args, returnsSet: row.returns_set, returnKind };
      functions.set(row.name, [...(functions.get(row.name) ?? []), info]);
    }
    return new Catalog(tables, functions);
  }
}
