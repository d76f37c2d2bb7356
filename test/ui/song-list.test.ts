import { describe, expect, it } from 'vitest';
import type { Song } from '../../contract/schema.js';
import {
  applyChange,
  fromSnapshot,
  mergeSnapshot,
  parseDuration,
  visibleSongs,
  withPending,
} from '../../src/ui/state/song-list.js';
import type { OutboxEntry } from '../../src/client/index.js';
import { DEFAULT_SORT, sortRows } from '../../src/ui/state/song-order.js';
import { outboxEntry, songRow as song } from './fixtures.js';

const change = (op: 'INSERT' | 'UPDATE' | 'DELETE', record: Song | null, oldRecord: Song | null = null) => ({
  bandId: 'b',
  seq: 1,
  op,
  record,
  oldRecord,
  actor: null,
});

describe('song list', () => {
  it('adds, updates and deletes songs from changes', () => {
    let songs = fromSnapshot([song('1', 'Lola')]);
    songs = applyChange(songs, change('INSERT', song('2', 'Apeman')));
    songs = applyChange(songs, change('UPDATE', song('1', 'Lola (live)', 2)));
    expect(visibleSongs(songs).map((s) => s.title)).toEqual(['Apeman', 'Lola (live)']);
    songs = applyChange(songs, change('DELETE', null, song('2', 'Apeman')));
    expect(visibleSongs(songs).map((s) => s.title)).toEqual(['Lola (live)']);
  });

  it('never moves a song back to an older version (snapshot newer than a late event)', () => {
    const songs = fromSnapshot([song('1', 'Newest', 3)]);
    expect(applyChange(songs, change('UPDATE', song('1', 'Older', 2)))).toBe(songs);
    expect(applyChange(songs, change('INSERT', song('1', 'Original', 1)))).toBe(songs);
  });

  it('merges a read that finished late without losing what arrived meanwhile', () => {
    // The view already has a confirmed insert (3), a newer edit (1 v2) and a hard delete (2).
    let songs = fromSnapshot([song('1', 'Lola')]);
    songs = applyChange(songs, change('UPDATE', song('1', 'Lola (live)', 2)));
    songs = applyChange(songs, change('INSERT', song('3', 'Kept on disk')));
    const gone = new Set(['2']);
    // A read that began before all of that lands now.
    const merged = mergeSnapshot(songs, [song('1', 'Lola', 1), song('2', 'Apeman')], gone);
    expect(visibleSongs(merged).map((s) => `${s.title} v${s.version}`)).toEqual([
      'Kept on disk v1',
      'Lola (live) v2',
    ]);
    // A newer read wins where it is newer.
    expect(visibleSongs(mergeSnapshot(merged, [song('1', 'Lola (encore)', 3)], gone))[1]?.title).toBe(
      'Lola (encore)',
    );
  });

  it('hides soft-deleted songs', () => {
    const songs = applyChange(
      fromSnapshot([song('1', 'Gone')]),
      change('UPDATE', song('1', 'Gone', 2, true)),
    );
    expect(visibleSongs(songs)).toEqual([]);
  });

  it('parses durations as m:ss or seconds, and rejects the rest', () => {
    expect(parseDuration('3:15')).toBe(195);
    expect(parseDuration('200')).toBe(200);
    expect(parseDuration('')).toBeNull();
    expect(parseDuration('3:75')).toBeUndefined();
    expect(parseDuration('abc')).toBeUndefined();
  });

  it('keeps a song another member deleted on screen while my edit of it is in conflict', () => {
    const theirs = song('1', 'Gone', 3, true);
    const conflict: OutboxEntry = {
      ...outboxEntry('e1', 'conflict'),
      write: { kind: 'song.update', songId: '1', bandId: 'b', baseVersion: 2, fields: { title: 'Mine' } },
      theirs,
    };
    const rows = withPending(fromSnapshot([theirs]), [conflict], 'b');
    expect(rows.map((row) => [row.song.id, row.sync])).toEqual([['1', 'conflict']]);
  });

  it('shows a deleted song back at once while its restore waits to be sent', () => {
    const restore: OutboxEntry = {
      ...outboxEntry('e1', 'pending'),
      write: { kind: 'song.restore', songId: '1', bandId: 'b', baseVersion: 3 },
    };
    const rows = withPending(fromSnapshot([song('1', 'Back', 3, true)]), [restore], 'b');
    expect(rows.map((row) => [row.song.title, row.song.deleted_at, row.sync])).toEqual([
      ['Back', null, 'pending'],
    ]);
  });

  describe('a song added from this view (pinned by sortRows)', () => {
    const saved = fromSnapshot([song('a', 'Alpha'), song('m', 'Middle')]);
    const titles = (rows: { song: Song }[]): string[] => rows.map((row) => row.song.title);

    it('shows first while it waits to sync, newest first, badged', () => {
      const entries = [outboxEntry('Zulu', 'pending'), { ...outboxEntry('Yankee', 'sending'), order: 2 }];
      const rows = sortRows(withPending(saved, entries, 'b'), DEFAULT_SORT, ['song-Yankee', 'song-Zulu']);
      expect(titles(rows)).toEqual(['Yankee', 'Zulu', 'Alpha', 'Middle']);
      expect(rows.map((row) => row.sync)).toEqual(['sending', 'pending', 'synced', 'synced']);
    });

    it('stays where it was once the server has it', () => {
      const landed = fromSnapshot([...saved.values(), song('song-Zulu', 'Zulu')]);
      expect(titles(sortRows(withPending(landed, [], 'b'), DEFAULT_SORT, ['song-Zulu']))).toEqual([
        'Zulu',
        'Alpha',
        'Middle',
      ]);
    });

    it('sorts by title like any other song after a reload (not added here)', () => {
      expect(
        titles(sortRows(withPending(saved, [outboxEntry('Beta', 'pending')], 'b'), DEFAULT_SORT)),
      ).toEqual(['Alpha', 'Beta', 'Middle']);
    });
  });
});
