import { describe, expect, it } from 'vitest';
import type { Song } from '../../src/client/index.js';
import type { SongRow } from '../../src/ui/state/song-list.js';
import { DEFAULT_SORT, filterRows, sortBy, sortRows } from '../../src/ui/state/song-order.js';
import { songRow } from './fixtures.js';

const row = (id: string, title: string, fields: Partial<Song> = {}): SongRow => ({
  song: { ...songRow(id, title), ...fields },
  sync: 'synced',
  entry: undefined,
});
const titles = (rows: readonly SongRow[]): string[] => rows.map((r) => r.song.title);

const rows = [
  row('1', 'lola', { artist: 'The Kinks', key: 'E', bpm: 120, notes: 'capo 2' }),
  row('2', 'Apeman', { artist: 'The Kinks', key: 'C', bpm: 96 }),
  row('3', 'Zombie', { artist: 'The Cranberries', key: 'Em', bpm: null }),
  row('4', 'Nothing Compares 2 U', { artist: 'Sinéad O’Connor', key: null, bpm: 99 }),
];

describe('song order', () => {
  it('sorts by title ignoring case by default', () => {
    expect(titles(sortRows(rows, DEFAULT_SORT))).toEqual([
      'Apeman',
      'lola',
      'Nothing Compares 2 U',
      'Zombie',
    ]);
  });

  it('sorts BPM as numbers and keeps songs without a BPM last in either direction', () => {
    const up = sortRows(rows, { column: 'bpm', direction: 'ascending' });
    expect(titles(up)).toEqual(['Apeman', 'Nothing Compares 2 U', 'lola', 'Zombie']);
    const down = sortRows(rows, { column: 'bpm', direction: 'descending' });
    expect(titles(down)).toEqual(['lola', 'Nothing Compares 2 U', 'Apeman', 'Zombie']);
  });

  it('breaks ties by title: same artist, then by key with the keyless song last', () => {
    expect(titles(sortRows(rows, { column: 'artist', direction: 'ascending' }))).toEqual([
      'Nothing Compares 2 U',
      'Zombie',
      'Apeman',
      'lola',
    ]);
    expect(titles(sortRows(rows, { column: 'key', direction: 'descending' }))).toEqual([
      'Zombie',
      'lola',
      'Apeman',
      'Nothing Compares 2 U',
    ]);
  });

  it('flips the direction on the same column and starts ascending on another', () => {
    const byBpm = sortBy(DEFAULT_SORT, 'bpm');
    expect(byBpm).toEqual({ column: 'bpm', direction: 'ascending' });
    expect(sortBy(byBpm, 'bpm')).toEqual({ column: 'bpm', direction: 'descending' });
    expect(sortBy(sortBy(byBpm, 'bpm'), 'title')).toEqual(DEFAULT_SORT);
  });

  it('finds songs by every word of the search in title, artist or notes, ignoring case and accents', () => {
    expect(titles(filterRows(rows, 'kinks'))).toEqual(['lola', 'Apeman']);
    expect(titles(filterRows(rows, 'KINKS capo'))).toEqual(['lola']);
    expect(titles(filterRows(rows, 'SINEAD'))).toEqual(['Nothing Compares 2 U']);
    expect(titles(filterRows(rows, 'zzz'))).toEqual([]);
    expect(filterRows(rows, '   ')).toHaveLength(rows.length);
  });
});
