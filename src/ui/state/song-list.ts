// A band's songs as the UI shows them: a snapshot from REST, then changes from the broker applied
// idempotently. A change is applied only if it is newer (by version) than what the list holds,
// so a snapshot taken after some events, or an event seen twice, never moves a song backwards.
import { type Song, type RowChange, isSongWrite, type OutboxEntry } from '../../client/index.js';

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

/**
 * A fresh read of the band's songs, merged into what the view holds. Reads and events finish in
 * any order, so a read is never taken whole: each song keeps the newer version, songs the read
 * did not see (written after it began) stay, and songs deleted for good since (`gone`, from
 * DELETE events) do not come back.
 */
export function mergeSnapshot(songs: SongMap, snapshot: readonly Song[], gone: ReadonlySet<string>): SongMap {
  const next = new Map(songs);
  for (const song of snapshot) {
    const current = next.get(song.id);
    if (gone.has(song.id) || (current && current.version >= song.version)) continue;
    next.set(song.id, song);
  }
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

export type SyncStatus = 'synced' | OutboxEntry['status'];

export interface SongRow {
  song: Song;
  sync: SyncStatus;
  entry: OutboxEntry | undefined;
}

/**
 * The list as this user should see it: the server's songs with their own queued writes laid over
 * them (marked, so pending is never mistaken for saved). A conflicting or failed write shows the
 * server's row, flagged, until the user resolves it: rolled back visibly, never silently.
 */
export function withPending(songs: SongMap, entries: readonly OutboxEntry[], bandId: string): SongRow[] {
  const rows = new Map<string, SongRow>();
  for (const song of visibleSongs(songs)) rows.set(song.id, { song, sync: 'synced', entry: undefined });
  for (const entry of [...entries].sort((a, b) => a.order - b.order)) {
    const write = entry.write;
    if (!isSongWrite(write) || write.bandId !== bandId || entry.status === 'confirmed') continue;
    const current = rows.get(write.songId)?.song ?? songs.get(write.songId);
    const rolledBack = entry.status === 'conflict' || entry.status === 'failed';
    if (write.kind === 'song.delete') {
      if (rolledBack && current) rows.set(write.songId, { song: current, sync: entry.status, entry });
      else rows.delete(write.songId);
      continue;
    }
    if (rolledBack) {
      if (current) rows.set(write.songId, { song: current, sync: entry.status, entry });
      else if (write.kind === 'song.insert')
        rows.set(write.songId, {
          song: draft(write.songId, bandId, write.fields),
          sync: entry.status,
          entry,
        });
      continue;
    }
    const base = current ?? draft(write.songId, bandId, {});
    const fields = write.kind === 'song.restore' ? { deleted_at: null } : write.fields;
    rows.set(write.songId, { song: { ...base, ...fields }, sync: entry.status, entry });
  }
  // A conflict with a delete stays on screen: its row is where the user restores or discards.
  return [...rows.values()]
    .filter((row) => row.song.deleted_at === null || row.sync === 'conflict')
    .sort((a, b) => a.song.title.localeCompare(b.song.title) || a.song.id.localeCompare(b.song.id));
}

function draft(id: string, bandId: string, fields: Partial<Song>): Song {
  return {
    id,
    band_id: bandId,
    title: '',
    artist: '',
    key: null,
    bpm: null,
    duration_seconds: null,
    notes: '',
    version: 1,
    created_by: null,
    updated_by: null,
    created_at: '',
    updated_at: '',
    deleted_at: null,
    ...fields,
  };
}
