// A band's songs as the UI shows them: a snapshot from REST, then changes from the broker applied
// idempotently. A change is applied only if it is newer (by version) than what the list holds,
// so a snapshot taken after some events, or an event seen twice, never moves a song backwards.
import type { Song } from '../../data/database.js';
import type { RowChange } from '../../client/events.js';

export type SongMap = ReadonlyMap<string, Song>;

export function fromSnapshot(songs: readonly Song[]): SongMap {
  return new Map(songs.map((song) => [song.id, song]));
}

export function applyChange(songs: SongMap, change: RowChange<Song>): SongMap {
  const next = new Map(songs);
  if (change.op === 'DELETE') {
    const id = change.oldRecord?.id;
    if (id) next.delete(id);
    return next;
  }
  const song = change.record;
  if (!song) return songs;
  const current = songs.get(song.id);
  if (current && current.version >= song.version) return songs;
  next.set(song.id, song);
  return next;
}

/** What the list shows: live songs (not soft-deleted), by title. */
export function visibleSongs(songs: SongMap): Song[] {
  return [...songs.values()]
    .filter((song) => song.deleted_at === null)
    .sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "3:15" or "195" → seconds; empty → null; anything else → undefined (invalid). */
export function parseDuration(text: string): number | null | undefined {
  const value = text.trim();
  if (value === '') return null;
  const match = /^(\d{1,3}):([0-5]\d)$/.exec(value);
  if (match) return Number(match[1]) * 60 + Number(match[2]);
  return /^\d{1,5}$/.test(value) ? Number(value) : undefined;
}
