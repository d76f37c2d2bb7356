// Turns parsed REST requests into parameterized SQL. Identifiers are checked against the catalog
// and quoted; every value travels as a bind parameter. Results come back as JSON text built by
// Postgres (json_agg), as PostgREST does, so types serialize exactly as on Supabase.
import { EXPOSED_SCHEMA, type FunctionArg, type FunctionInfo, type TableInfo } from './catalog.js';
import { QueryError, type Filter, type OrderTerm, type ReadQuery, type Selection } from './query.js';

export interface Sql {
  text: string;
  params: unknown[];
}

/** Supabase's default `db-max-rows`. */
export const MAX_ROWS = 1000;

export const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const qualified = (table: TableInfo): string => `${quote(EXPOSED_SCHEMA)}.${quote(table.name)}`;

export class UnknownColumnError extends QueryError {}

/** The columns a request may name: a table's, or (for a function's rows) any, left to Postgres. */
interface ColumnScope {
  name: string;
  has(column: string): boolean;
}

const tableScope = (table: TableInfo): ColumnScope => ({
  name: table.name,
  has: (c) => table.columns.has(c),
});

function checkColumn(scope: ColumnScope, column: string): string {
  if (!scope.has(column)) throw new UnknownColumnError(`column ${scope.name}.${column} does not exist`);
  return quote(column);
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function projection(scope: ColumnScope, selection: Selection): string {
  if (!selection.columns) return '*';
  return selection.columns
    .map(({ column, alias }) =>
      alias ? `${checkColumn(scope, column)} as ${quote(alias)}` : checkColumn(scope, column),
    )
    .join(', ');
}

const COMPARISON: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const IS_LITERAL = { null: 'null', true: 'true', false: 'false', unknown: 'unknown' } as const;

function condition(scope: ColumnScope, filter: Filter, params: Params): string {
  const column = checkColumn(scope, filter.column);
  let sql: string;
  switch (filter.op) {
    case 'in':
      sql =
        filter.values.length === 0
          ? 'false'
          : `${column} in (${filter.values.map((v) => params.add(v)).join(', ')})`;
      break;
    case 'is':
      sql = `${column} is ${IS_LITERAL[filter.value]}`;
      break;
    case 'like':
      sql = `${column}::text like ${params.add(filter.value)}`;
      break;
    case 'ilike':
      sql = `${column}::text ilike ${params.add(filter.value)}`;
      break;
    default:
      sql = `${column} ${COMPARISON[filter.op]} ${params.add(filter.value)}`;
  }
  return filter.negate ? `not (${sql})` : sql;
}

function where(scope: ColumnScope, filters: Filter[], params: Params): string {
  if (filters.length === 0) return '';
  return ` where ${filters.map((f) => condition(scope, f, params)).join(' and ')}`;
}

function orderBy(scope: ColumnScope, order: OrderTerm[]): string {
  if (order.length === 0) return '';
  const terms = order.map(
    (t) =>
      `${checkColumn(scope, t.column)} ${t.descending ? 'desc' : 'asc'}${t.nulls ? ` nulls ${t.nulls}` : ''}`,
  );
  return ` order by ${terms.join(', ')}`;
}

function page(query: ReadQuery, params: Params): string {
  const limit = Math.min(query.limit ?? MAX_ROWS, MAX_ROWS);
  return ` limit ${params.add(limit)}${query.offset ? ` offset ${params.add(query.offset)}` : ''}`;
}

/** Wraps a row source into `(n, body)`: the row count and the rows as a JSON array text. */
function aggregate(source: string, stripNulls: boolean): string {
  const agg = stripNulls ? `json_strip_nulls(json_agg(pgrst_t))` : `json_agg(pgrst_t)`;
  return `select count(*)::int as n, coalesce(${agg}, '[]')::text as body from (${source}) pgrst_t`;
}

export function selectSql(table: TableInfo, query: ReadQuery, stripNulls: boolean): Sql {
  const params = new Params();
  const scope = tableScope(table);
  const source =
    `select ${projection(scope, query.selection)} from ${qualified(table)}` +
    where(scope, query.filters, params) +
    orderBy(scope, query.order) +
    page(query, params);
  return { text: aggregate(source, stripNulls), params: params.values };
}

export function countSql(table: TableInfo, filters: Filter[]): Sql {
  const params = new Params();
  return {
    text: `select count(*)::int as total from ${qualified(table)}${where(tableScope(table), filters, params)}`,
    params: params.values,
  };
}

export interface InsertPlan {
  columns: string[];
  rows: Record<string, unknown>[];
  onConflict: string[] | undefined;
  resolution: 'merge' | 'ignore' | undefined;
  selection: Selection;
}

/** One INSERT for all rows; columns a row lacks are NULL, as PostgREST does without missing=default. */
export function insertSql(table: TableInfo, plan: InsertPlan, stripNulls: boolean): Sql {
  const params = new Params();
  const scope = tableScope(table);
  const columns = plan.columns.map((c) => checkColumn(scope, c));
  const rows = params.add(JSON.stringify(plan.rows));
  let conflict = '';
  if (plan.resolution) {
    const target = (plan.onConflict ?? table.primaryKey).map((c) => checkColumn(scope, c));
    if (target.length === 0) throw new QueryError(`table ${table.name} has no primary key; pass on_conflict`);
    const updates = columns.filter((c) => !target.includes(c)).map((c) => `${c} = excluded.${c}`);
    conflict =
      plan.resolution === 'ignore' || updates.length === 0
        ? ` on conflict (${target.join(', ')}) do nothing`
        : ` on conflict (${target.join(', ')}) do update set ${updates.join(', ')}`;
  }
  const insert =
    columns.length === 0
      ? `insert into ${qualified(table)} default values`
      : `insert into ${qualified(table)} (${columns.join(', ')}) ` +
        `select ${columns.join(', ')} from json_populate_recordset(null::${qualified(table)}, ${rows}::json)`;
  return {
    text:
      `with pgrst_source as (${insert}${conflict} returning *) ` +
      aggregate(`select ${projection(scope, plan.selection)} from pgrst_source`, stripNulls),
    params: columns.length === 0 ? [] : params.values,
  };
}

export function updateSql(
  table: TableInfo,
  values: Record<string, unknown>,
  filters: Filter[],
  selection: Selection,
  stripNulls: boolean,
): Sql {
  const params = new Params();
  const scope = tableScope(table);
  const columns = Object.keys(values).map((c) => checkColumn(scope, c));
  const record = params.add(JSON.stringify(values));
  const assignment = `(${columns.join(', ')}) = (select ${columns.join(', ')} from json_populate_record(null::${qualified(table)}, ${record}::json))`;
  const update = `update ${qualified(table)} set ${assignment}${where(scope, filters, params)} returning *`;
  return {
    text:
      `with pgrst_source as (${update}) ` +
      aggregate(`select ${projection(scope, selection)} from pgrst_source`, stripNulls),
    params: params.values,
  };
}

export function deleteSql(
  table: TableInfo,
  filters: Filter[],
  selection: Selection,
  stripNulls: boolean,
): Sql {
  const params = new Params();
  const scope = tableScope(table);
  const remove = `delete from ${qualified(table)}${where(scope, filters, params)} returning *`;
  return {
    text:
      `with pgrst_source as (${remove}) ` +
      aggregate(`select ${projection(scope, selection)} from pgrst_source`, stripNulls),
    params: params.values,
  };
}

/** Argument value as Postgres text input: JSON for objects and arrays, strings as they are. */
function argumentText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  // Numbers and booleans print as Postgres reads them; objects and arrays go in as JSON.
  return JSON.stringify(value);
}

/**
 * One argument as SQL of its parameter's type. A JSON array for an array parameter goes through
 * json_to_record, which makes a Postgres array of it (nested and null elements included) as
 * PostgREST does; cast from its JSON text, `["a"]` would be a malformed array literal.
 */
function argumentSql(arg: FunctionArg, value: unknown, params: Params): string {
  const param = params.add(argumentText(value));
  if (!Array.isArray(value) || !arg.type.endsWith('[]')) return `${param}::${arg.type}`;
  const record = `json_to_record(json_build_object('pgrst_arg', ${param}::json))`;
  return `(select pgrst_arg from ${record} as pgrst_args(pgrst_arg ${arg.type}))`;
}

/**
 * Calls a function with named arguments. Argument types come from the catalog, not the request.
 * A set-returning or composite result is a row source that filters, order and limit apply to.
 */
export function rpcSql(
  fn: FunctionInfo,
  args: Record<string, unknown>,
  query: ReadQuery,
  stripNulls: boolean,
): Sql {
  const params = new Params();
  const named = fn.args
    .filter((arg) => arg.name in args)
    .map((arg) => `${quote(arg.name)} => ${argumentSql(arg, args[arg.name], params)}`);
  const call = `${quote(EXPOSED_SCHEMA)}.${quote(fn.name)}(${named.join(', ')})`;
  if (fn.returnKind !== 'composite') {
    return { text: `select to_json(${call})::text as body`, params: params.values };
  }
  // A function's output columns are not in the catalog map; Postgres checks them (42703).
  const rowsOf: ColumnScope = { name: fn.name, has: () => true };
  const source =
    `select ${projection(rowsOf, query.selection)} from ${call} as pgrst_fn` +
    where(rowsOf, query.filters, params) +
    orderBy(rowsOf, query.order) +
    page(query, params);
  return { text: aggregate(source, stripNulls), params: params.values };
}
