// What a tab may queue (a write) and what the outbox makes of it (an entry), as both ends see
// them. The outbox's decisions over these live in worker/outbox/outbox-queue.ts.
import type { Band, Song } from './schema.js';

export type SongFields = Partial<
  Pick<Song, 'title' | 'artist' | 'key' | 'bpm' | 'duration_seconds' | 'notes' | 'deleted_at'>
>;

export type SongWrite =
  | { kind: 'song.insert'; songId: string; bandId: string; fields: SongFields & { title: string } }
  | { kind: 'song.update'; songId: string; bandId: string; baseVersion: number; fields: SongFields }
  | { kind: 'song.delete'; songId: string; bandId: string; baseVersion: number }
  /** Undoes a delete (deleted_at back to null), checked against the version the delete left. */
  | { kind: 'song.restore'; songId: string; bandId: string; baseVersion: number };

/** The band RPCs: create_band with a client-made id, join_band with an invite code. */
export type BandWrite =
  | { kind: 'band.create'; bandId: string; name: string; description: string }
  | { kind: 'band.join'; code: string };

export type Write = SongWrite | BandWrite;

export const isSongWrite = (write: Write): write is SongWrite => write.kind.startsWith('song.');

export type OutboxStatus = 'pending' | 'sending' | 'confirmed' | 'conflict' | 'failed';

export interface OutboxEntry {
  id: string;
  /** Enqueue order; writes drain in this order. */
  order: number;
  userId: string;
  write: Write;
  /** recordOf(write), stored so IndexedDB can index it. */
  record: string;
  status: OutboxStatus;
  attempts: number;
  /** Epoch ms before which a retry is not sent (network backoff). */
  notBefore: number;
  error: { code: string; message: string } | undefined;
  /** On conflict: the row as the other member left it (null when they deleted it). */
  theirs: Song | null | undefined;
  /** Once confirmed: the row as the server stored it, so views need not wait for its event. */
  result?: Song | undefined;
  /** Once a band write is confirmed: the band created or joined. */
  band?: Band | undefined;
  createdAt: number;
}
