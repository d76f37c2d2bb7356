// Parses the PostgREST query string supabase-js emits into typed values. Pure: no catalog, no SQL.
// Anything outside the supported grammar is refused here with a PGRST100-style message.

export const FILTER_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'in', 'is'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type IsValue = 'null' | 'true' | 'false' | 'unknown';

export type Filter =
  | { column: string; negate: boolean; op: Exclude<FilterOp, 'in' | 'is'>; value: string }
  | { column: string; negate: boolean; op: 'in'; values: string[] }
  | { column: string; negate: boolean; op: 'is'; value: IsValue };

export interface SelectColumn {
  column: string;
  alias: string | undefined;
}
/** `undefined` columns means `*`. */
export interface Selection {
  columns: SelectColumn[] | undefined;
}

export interface OrderTerm {
  column: string;
  descending: boolean;
  nulls: 'first' | 'last' | undefined;
}

export interface ReadQuery {
  selection: Selection;
  filters: Filter[];
  order: OrderTerm[];
  limit: number | undefined;
  offset: number | undefined;
}

export class QueryError extends Error {
  constructor(
    message: string,
    readonly details: string | null = null,
  ) {
    super(message);
  }
}

/** Parameters that are not filters. `columns` and `on_conflict` belong to inserts. */
const RESERVED = new Set(['select', 'order', 'limit', 'offset', 'columns', 'on_conflict']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_IN_VALUES = 1000;

export function parseReadQuery(params: URLSearchParams): ReadQuery {
  const filters: Filter[] = [];
  for (const [key, raw] of params) {
    if (RESERVED.has(key)) continue;
    if (key === 'or' || key === 'and' || key.startsWith('not.')) {
      throw new QueryError(`logical filter "${key}" is not supported by the local backend`);
    }
    filters.push(parseFilter(key, raw));
  }
  return {
    selection: parseSelect(params.get('select')),
    filters,
    order: parseOrder(params.get('order')),
    limit: parseCount(params.get('limit'), 'limit'),
    offset: parseCount(params.get('offset'), 'offset'),
  };
}

export function identifier(name: string, what: string): string {
  if (!IDENT.test(name)) throw new QueryError(`"${name}" is not a valid ${what} name`);
  return name;
}

export function parseSelect(raw: string | null): Selection {
  const text = (raw ?? '*').trim();
  if (text === '' || text === '*') return { columns: undefined };
  const items = splitTopLevel(text, ',').map((item) => item.trim());
  const unsupported = items.find((part) => /[(!]|->|::/.test(part));
  if (unsupported !== undefined) {
    throw new QueryError(
      `select item "${unsupported}" is not supported by the local backend`,
      'Supported: *, column names and aliases (alias:column)',
    );
  }
  if (items.includes('*')) throw new QueryError('"*" cannot be combined with other columns');
  const columns = items.map((part): SelectColumn => {
    const [first, second, ...rest] = part.split(':');
    if (rest.length > 0 || first === undefined)
      throw new QueryError(`failed to parse select parameter (${part})`);
    if (second === undefined) return { column: identifier(first, 'column'), alias: undefined };
    return { column: identifier(second, 'column'), alias: identifier(first, 'alias') };
  });
  if (columns.some((c) => c.column === '*'))
    throw new QueryError('"*" cannot be combined with other columns');
  return { columns };
}

export function parseFilter(column: string, raw: string): Filter {
  identifier(column, 'column');
  let rest = raw;
  let negate = false;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  const op = dot < 0 ? rest : rest.slice(0, dot);
  const value = dot < 0 ? undefined : rest.slice(dot + 1);
  if (value === undefined || !(FILTER_OPS as readonly string[]).includes(op)) {
    throw new QueryError(
      `failed to parse filter (${raw})`,
      `Unknown operator "${op}" for column "${column}"`,
    );
  }
  switch (op as FilterOp) {
    case 'in':
      return { column, negate, op: 'in', values: parseInList(value, raw) };
    case 'is': {
      const lowered = value.toLowerCase();
      if (lowered !== 'null' && lowered !== 'true' && lowered !== 'false' && lowered !== 'unknown') {
        throw new QueryError(`failed to parse filter (${raw})`, 'is. takes null, true, false or unknown');
      }
      return { column, negate, op: 'is', value: lowered };
    }
    case 'like':
    case 'ilike':
      // PostgREST lets clients write * for % so URLs need no escaping.
      return { column, negate, op: op as 'like' | 'ilike', value: value.replaceAll('*', '%') };
    default:
      return { column, negate, op: op as Exclude<FilterOp, 'in' | 'is' | 'like' | 'ilike'>, value };
  }
}

/** `(a,b,"c,d")`: values separated by commas, double quotes protect commas and parentheses. */
function parseInList(value: string, raw: string): string[] {
  if (!value.startsWith('(') || !value.endsWith(')')) {
    throw new QueryError(`failed to parse filter (${raw})`, 'in. takes a list in parentheses: in.(a,b)');
  }
  const inner = value.slice(1, -1);
  if (inner.trim() === '') return [];
  const values = splitTopLevel(inner, ',').map((item) => {
    const trimmed = item.trim();
    if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
      return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    return trimmed;
  });
  if (values.length > MAX_IN_VALUES) throw new QueryError(`in. takes at most ${MAX_IN_VALUES} values`);
  return values;
}

export function parseOrder(raw: string | null): OrderTerm[] {
  if (raw === null || raw.trim() === '') return [];
  return raw.split(',').map((term) => {
    const [column = '', ...modifiers] = term.trim().split('.');
    identifier(column, 'column');
    let descending = false;
    let nulls: OrderTerm['nulls'];
    for (const modifier of modifiers) {
      if (modifier === 'asc') descending = false;
      else if (modifier === 'desc') descending = true;
      else if (modifier === 'nullsfirst') nulls = 'first';
      else if (modifier === 'nullslast') nulls = 'last';
      else throw new QueryError(`failed to parse order (${raw})`, `Unknown order modifier "${modifier}"`);
    }
    return { column, descending, nulls };
  });
}

function parseCount(raw: string | null, name: string): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new QueryError(
      `failed to parse ${name} parameter (${raw})`,
      `${name} must be a non-negative integer`,
    );
  }
  return n;
}

/** Splits on `separator` outside double quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && quoted && i + 1 < text.length) {
      current += ch + text[i + 1]!;
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (quoted) throw new QueryError(`unterminated quote in "${text}"`);
  parts.push(current);
  return parts;
}

/** `columns="a","b"` as supabase-js sends it for inserts. */
export function parseColumnList(raw: string): string[] {
  return splitTopLevel(raw, ',').map((item) => identifier(item.trim().replace(/^"(.*)"$/, '$1'), 'column'));
}

/** Prefer: `return=representation, count=exact` (headers may repeat; values comma-joined). */
export interface Preferences {
  returnRepresentation: boolean;
  count: boolean;
  resolution: 'merge' | 'ignore' | undefined;
  missingDefault: boolean;
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const items = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const has = (item: string): boolean => items.includes(item);
  return {
    returnRepresentation: has('return=representation'),
    count: has('count=exact') || has('count=planned') || has('count=estimated'),
    resolution: has('resolution=merge-duplicates')
      ? 'merge'
      : has('resolution=ignore-duplicates')
        ? 'ignore'
        : undefined,
    missingDefault: has('missing=default'),
  };
}
