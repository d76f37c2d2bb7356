// postgres_changes filters (`col=op.value`), parsed once at join and checked per change.

export type ChangeFilter =
  | { column: string; op: 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte'; value: string }
  | { column: string; op: 'in'; values: Set<string> };

/** A JSON value as text: strings as they are, anything else as its JSON. */
export function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

const FILTER = /^([A-Za-z_][A-Za-z0-9_]*)=(eq|neq|lt|lte|gt|gte|in)\.(.*)$/s;
const MAX_IN_VALUES = 100;

export function parseFilter(text: string): ChangeFilter {
  const match = FILTER.exec(text);
  if (!match) throw new Error(`invalid filter "${text}": expected column=eq|neq|lt|lte|gt|gte|in.value`);
  const [, column = '', op = '', value = ''] = match;
  if (op !== 'in') return { column, op: op as Exclude<ChangeFilter['op'], 'in'>, value };
  if (!value.startsWith('(') || !value.endsWith(')'))
    throw new Error(`invalid filter "${text}": in. takes (a,b,c)`);
  const values = value
    .slice(1, -1)
    .split(',')
    .map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
  if (values.length > MAX_IN_VALUES)
    throw new Error(`invalid filter: in. takes at most ${MAX_IN_VALUES} values`);
  return { column, op: 'in', values: new Set(values) };
}

function compare(left: unknown, right: string): number {
  const a = Number(left);
  const b = Number(right);
  if (typeof left === 'number' || (left !== '' && left !== null && !Number.isNaN(a) && !Number.isNaN(b)))
    return a - b;
  return String(left).localeCompare(right);
}

/** `undefined` when the row lacks the column (a DELETE's primary-key-only old record). */
export function matches(filter: ChangeFilter, row: Record<string, unknown>): boolean | undefined {
  if (!(filter.column in row)) return undefined;
  const value = row[filter.column];
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
