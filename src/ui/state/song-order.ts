// What the song list shows of the band's rows and in what order: the search box's words filter
// them (title, artist, notes), a column sorts them. Pure, so the page only keeps the choice.
import type { SongRow } from './song-list.js';

export const SORT_COLUMNS = ['title', 'artist', 'key', 'bpm'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export type SortDirection = 'ascending' | 'descending';
export interface SongSort {
  column: SortColumn;
  direction: SortDirection;
}

export const DEFAULT_SORT: SongSort = { column: 'title', direction: 'ascending' };

/** Clicking a column: the same one flips its direction, another starts ascending. */
export function sortBy(current: SongSort, column: SortColumn): SongSort {
  if (current.column !== column) return { column, direction: 'ascending' };
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** A column's value, or undefined when the song has none (those go last in either direction). */
function valueOf(row: SongRow, column: SortColumn): string | number | undefined {
  const value = row.song[column];
  return value === null || value === '' ? undefined : value;
}

function compareValues(a: string | number, b: string | number): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
}

/**
 * The rows sorted by the column; ties (and songs without a value) by title, then id, so the order
 * is stable. `pinned` (songs added from this view, newest first) come first whatever the column: a
 * new song shows next to the form it was typed in and stays put as it syncs.
 */
export function sortRows(
  rows: readonly SongRow[],
  sort: SongSort,
  pinned: readonly string[] = [],
): SongRow[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const byTitle = (a: SongRow, b: SongRow): number =>
    collator.compare(a.song.title, b.song.title) || a.song.id.localeCompare(b.song.id);
  const pin = (row: SongRow): number => {
    const at = pinned.indexOf(row.song.id);
    return at === -1 ? pinned.length : at;
  };
  return [...rows].sort((a, b) => {
    if (pin(a) !== pin(b)) return pin(a) - pin(b);
    const [x, y] = [valueOf(a, sort.column), valueOf(b, sort.column)];
    if (x === undefined || y === undefined) {
      if (x !== y) return x === undefined ? 1 : -1;
      return byTitle(a, b);
    }
    return sign * compareValues(x, y) || byTitle(a, b);
  });
}

/** Lower case without accents: "Beyoncé" is found by "beyonce". */
const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Rows whose title, artist or notes hold every word of the query; all rows for an empty query. */
export function filterRows(rows: readonly SongRow[], query: string): SongRow[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = fold(`${row.song.title}\n${row.song.artist}\n${row.song.notes}`);
    return words.every((word) => text.includes(word));
  });
}
