// Rows and outbox entries for the UI's unit tests: whole values with only what a test varies.
import type { OutboxEntry, Song } from '../../src/client/index.js';

/** A queued insert of song `song-<id>` titled `id`. */
export const outboxEntry = (id: string, status: OutboxEntry['status']): OutboxEntry => ({
  id,
  order: 1,
  userId: 'u',
  write: { kind: 'song.insert', songId: `song-${id}`, bandId: 'b', fields: { title: id } },
  record: `song-${id}`,
  status,
  attempts: 0,
  notBefore: 0,
  error: undefined,
  theirs: undefined,
  createdAt: 0,
});

export const songRow = (id: string, title: string, version = 1, deleted = false): Song => ({
  id,
  band_id: 'b',
  title,
  artist: '',
  key: null,
  bpm: null,
  duration_seconds: null,
  notes: '',
  version,
  created_by: null,
  updated_by: null,
  created_at: '',
  updated_at: '',
  deleted_at: deleted ? '2026-01-01T00:00:00Z' : null,
});
