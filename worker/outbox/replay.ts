// Sends one queued write so that sending it twice has the effect of once: inserts are upserts that
// ignore duplicates (client-made ids), updates and deletes apply only to the version they were
// based on. When a version check misses, the change log says whether the miss is our own write
// whose answer was lost (confirmed) or another member's (conflict).
import type { PostgrestError } from '@supabase/postgrest-js';
import type { Song } from '../../src/data/database.js';
import type { Rest } from '../catch-up.js';
import type { Outcome, Write } from './outbox-queue.js';

/** Errors that say "not now" rather than "never": the network, the server, an expired token. */
function classify(error: PostgrestError, status: number): Outcome {
  const retryable = status === 0 || status >= 500 || error.code === 'PGRST303' || error.code === 'PGRST301';
  if (retryable) return { kind: 'retry', message: error.message || `HTTP ${status}` };
  return { kind: 'failed', code: error.code || String(status), message: error.message };
}

export async function replay(rest: Rest, write: Write, userId: string): Promise<Outcome> {
  try {
    switch (write.kind) {
      case 'song.insert':
        return await insert(rest, write);
      case 'song.update':
        return await versioned(rest, write, write.fields, userId);
      case 'song.delete':
        return await versioned(rest, write, { deleted_at: new Date().toISOString() }, userId);
    }
  } catch (error) {
    // fetch itself failed: offline, refused, reset.
    return { kind: 'retry', message: error instanceof Error ? error.message : String(error) };
  }
}

async function insert(rest: Rest, write: Extract<Write, { kind: 'song.insert' }>): Promise<Outcome> {
  const { error, status } = await rest
    .from('songs')
    .upsert(
      { id: write.songId, band_id: write.bandId, ...write.fields },
      { onConflict: 'id', ignoreDuplicates: true },
    );
  if (error) return classify(error, status);
  // Whether it was inserted now or by an earlier send whose answer was lost, it must be there.
  const {
    data,
    error: readError,
    status: readStatus,
  } = await rest.from('songs').select('*').eq('id', write.songId);
  if (readError) return classify(readError, readStatus);
  const [row] = data;
  return row
    ? { kind: 'confirmed', row }
    : { kind: 'failed', code: '42501', message: 'the song is not visible after insert' };
}

async function versioned(
  rest: Rest,
  write: Extract<Write, { kind: 'song.update' | 'song.delete' }>,
  fields: Partial<Song>,
  userId: string,
): Promise<Outcome> {
  const { data, error, status } = await rest
    .from('songs')
    .update(fields)
    .eq('id', write.songId)
    .eq('version', write.baseVersion)
    .select('*');
  if (error) return classify(error, status);
  if (data[0]) return { kind: 'confirmed', row: data[0] };
  const mine = await appliedByMe(rest, write, userId);
  const current = await rest.from('songs').select('*').eq('id', write.songId);
  if (current.error) return classify(current.error, current.status);
  if (mine) return { kind: 'confirmed', row: current.data[0] };
  return { kind: 'conflict', theirs: current.data[0] ?? null };
}

/** Did an earlier send of this write commit? Then the log has my update to baseVersion + 1. */
async function appliedByMe(
  rest: Rest,
  write: Extract<Write, { kind: 'song.update' | 'song.delete' }>,
  userId: string,
): Promise<boolean> {
  const { data, error } = await rest
    .from('band_events')
    .select('record')
    .eq('band_id', write.bandId)
    .eq('record_id', write.songId)
    .eq('actor', userId)
    .eq('op', 'UPDATE')
    .order('seq', { ascending: false })
    .limit(20);
  if (error) throw new Error(error.message);
  return data.some(
    (event) => (event.record as { version?: number } | null)?.version === write.baseVersion + 1,
  );
}
