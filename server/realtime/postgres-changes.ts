// postgres_changes bindings: parsed and checked once at join (event, published table, filter),
// then matched against each captured change. Pure.
import type { ChangeFilter, ChangeRecord, ChangeType, FilterOp, PostgresBinding } from './protocol.js';

/** A join the server refuses; the message becomes the reply's `reason`. */
export class BindingError extends Error {
  override readonly name = 'BindingError';
}

const FILTER = /^([A-Za-z_][A-Za-z0-9_]*)=(eq|neq|lt|lte|gt|gte|in)\.(.*)$/s;
// Supabase Realtime caps in. filters at 100 values.
const MAX_IN_VALUES = 100;
const EVENTS: ReadonlySet<string> = new Set(['*', 'INSERT', 'UPDATE', 'DELETE']);

/** A JSON value as filter text: strings as they are, anything else as its JSON. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

export function parseFilter(text: string): ChangeFilter {
  const match = FILTER.exec(text);
  if (!match)
    throw new BindingError(`invalid filter "${text}": expected column=eq|neq|lt|lte|gt|gte|in.value`);
  const [, column = '', op = '', value = ''] = match;
  if (op !== 'in') return { column, op: op as FilterOp, value };
  if (!value.startsWith('(') || !value.endsWith(')'))
    throw new BindingError(`invalid filter "${text}": in. takes (a,b,c)`);
  const values = value
    .slice(1, -1)
    .split(',')
    .map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
  if (values.length > MAX_IN_VALUES)
    throw new BindingError(`invalid filter "${column}=in.(…)": at most ${MAX_IN_VALUES} values`);
  return { column, op: 'in', values: new Set(values) };
}

/**
 * Like Supabase's phash2 of the subscription: the same binding always gets the same id, so
 * subscribers with equal bindings receive byte-identical frames that are encoded once.
 */
export function bindingId(event: string, schema: string, table: string, filter: string | undefined): number {
  let hash = 0x811c9dc5;
  for (const char of `${event}\u0000${schema}\u0000${table}\u0000${filter ?? ''}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7ffffff;
}

/** Parses `config.postgres_changes`; throws BindingError with Supabase-like reasons. */
export function parseBindings(
  requested: unknown,
  isPublished: (schema: string, table: string) => boolean,
): { bindings: PostgresBinding[]; filters: (ChangeFilter | undefined)[] } {
  if (requested === undefined || requested === null) return { bindings: [], filters: [] };
  if (!Array.isArray(requested)) throw new BindingError('postgres_changes must be an array');
  const bindings: PostgresBinding[] = [];
  const filters: (ChangeFilter | undefined)[] = [];
  for (const item of requested as unknown[]) {
    if (typeof item !== 'object' || item === null) throw new BindingError('a binding must be an object');
    const { event, schema = 'public', table, filter } = item as Record<string, unknown>;
    if (typeof event !== 'string' || !EVENTS.has(event))
      throw new BindingError(`Invalid postgres_changes event: ${asText(event)}`);
    if (typeof schema !== 'string' || typeof table !== 'string' || !isPublished(schema, table)) {
      throw new BindingError(
        `Unable to subscribe to changes: ${asText(schema)}.${asText(table)} is not in the supabase_realtime publication`,
      );
    }
    if (filter !== undefined && filter !== null && typeof filter !== 'string')
      throw new BindingError('filter must be a string');
    const text = typeof filter === 'string' && filter !== '' ? filter : undefined;
    filters.push(text === undefined ? undefined : parseFilter(text));
    bindings.push({
      id: bindingId(event, schema, table, text),
      event: event as PostgresBinding['event'],
      schema,
      table,
      filter: text,
    });
  }
  return { bindings, filters };
}

function compare(left: unknown, right: string): number {
  const a = Number(left);
  const b = Number(right);
  const numeric = typeof left === 'number' || (typeof left === 'string' && left !== '' && !Number.isNaN(a));
  if (numeric && right !== '' && !Number.isNaN(b)) return a - b;
  return asText(left).localeCompare(right);
}

/** `undefined` when the row lacks the column (a DELETE's primary-key-only old record). */
export function matches(filter: ChangeFilter, row: Record<string, unknown>): boolean | undefined {
  if (!(filter.column in row)) return undefined;
  const value = row[filter.column];
  // As in SQL: a comparison with NULL is never true.
  if (value === null) return false;
  const text = asText(value);
  switch (filter.op) {
    case 'eq':
      return text === filter.value;
    case 'neq':
      return text !== filter.value;
    case 'in':
      return filter.values.has(text);
    case 'lt':
      return compare(value, filter.value) < 0;
    case 'lte':
      return compare(value, filter.value) <= 0;
    case 'gt':
      return compare(value, filter.value) > 0;
    case 'gte':
      return compare(value, filter.value) >= 0;
  }
}

/**
 * Ids of the bindings a change matches. `row` is what filters see: the record, or for a DELETE
 * the old record as sent (only the key when RLS is on, so a filter on another column cannot
 * exclude it: Supabase does not filter deletes).
 */
export function matchingIds(
  bindings: readonly PostgresBinding[],
  filters: readonly (ChangeFilter | undefined)[],
  change: Pick<ChangeRecord, 'schema' | 'table' | 'type'>,
  row: Record<string, unknown> | null,
): number[] {
  const ids: number[] = [];
  bindings.forEach((binding, i) => {
    if (binding.schema !== change.schema || binding.table !== change.table) return;
    if (binding.event !== '*' && binding.event !== (change.type satisfies ChangeType)) return;
    const filter = filters[i];
    if (filter) {
      const verdict = row ? matches(filter, row) : undefined;
      if (verdict === false || (verdict === undefined && change.type !== 'DELETE')) return;
    }
    ids.push(binding.id);
  });
  return ids;
}
