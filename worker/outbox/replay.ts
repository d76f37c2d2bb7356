// Sends one queued write so that sending it twice has the effect of once: inserts are upserts that
// ignore duplicates (client-made ids), updates and deletes apply only to the version they were
// based on. When a version check misses, the change log says whether the miss is our own write
// whose answer was lost (confirmed) or another member's (conflict).
import type { PostgrestError } from '@supabase/postgrest-js';
import type { Song } from '../../contract/schema.js';
import type { Rest } from '../session-token.js';
import type { Outcome } from './outbox-queue.js';
import { type BandWrite, type SongFields, type Write } from '../../contract/writes.js';

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
        return (await insert(rest, [write]))?.[0] ?? { kind: 'retry', message: 'no answer' };
      case 'song.update':
        return await versioned(rest, write, write.fields, userId);
      case 'song.delete':
        return await versioned(rest, write, { deleted_at: new Date().toISOString() }, userId);
      case 'song.restore':
        return await versioned(rest, write, { deleted_at: null }, userId);
      case 'band.create':
      case 'band.join':
        return await bandCall(rest, write);
    }
  } catch (error) {
    // fetch itself failed: offline, refused, reset.
    return { kind: 'retry', message: error instanceof Error ? error.message : String(error) };
  }
}

type Insert = Extract<Write, { kind: 'song.insert' }>;
/** Writes that apply only to the version they were based on. */
type VersionedWrite = Extract<Write, { baseVersion: number }>;

/**
 * The band RPCs are replay-safe in the database: create_band with the same client id returns the
 * band this user already created, and join_band answers a member with the band, whatever became
 * of the code since.
 */
async function bandCall(rest: Rest, write: BandWrite): Promise<Outcome> {
  const { data, error, status } =
    write.kind === 'band.create'
      ? await rest.rpc('create_band', { name: write.name, description: write.description, id: write.bandId })
      : await rest.rpc('join_band', { code: write.code });
  if (error) return classify(error, status);
  return { kind: 'confirmed', row: undefined, band: data };
}

/**
 * A new song's fields as the schema's defaults make them. Every row of a batch names the same
 * columns, so PostgREST inserts the batch as one statement (with `missing=default` it runs one
 * statement per row).
 */
const NEW_SONG = {
  artist: '',
  key: null,
  bpm: null,
  duration_seconds: null,
  notes: '',
  deleted_at: null,
} as const satisfies Required<Omit<SongFields, 'title'>>;

/**
 * Sends writes taken together (see nextBatch): many inserts go as one upsert, one request and one
 * transaction. The outcomes line up with `writes`.
 */
export async function replayBatch(rest: Rest, writes: readonly Write[], userId: string): Promise<Outcome[]> {
  const [first] = writes;
  if (!first) return [];
  if (writes.length === 1 || !writes.every((w): w is Insert => w.kind === 'song.insert'))
    return [await replay(rest, first, userId)];
  try {
    const outcomes = await insert(rest, writes);
    if (outcomes) return outcomes;
  } catch (error) {
    const outcome: Outcome = {
      kind: 'retry',
      message: error instanceof Error ? error.message : String(error),
    };
    return writes.map(() => outcome);
  }
  // One refused row refuses the whole statement: send each alone, so only that one fails.
  const outcomes: Outcome[] = [];
  for (const write of writes) outcomes.push(await replay(rest, write, userId));
  return outcomes;
}

/**
 * Upserts the rows, ignoring ones already there, and reads back the skipped ones: whether a row
 * was inserted now or by an earlier send whose answer was lost, it must be there. Undefined when the server
 * refused the statement for a reason one of the rows may carry alone.
 */
async function insert(rest: Rest, writes: readonly Insert[]): Promise<Outcome[] | undefined> {
  const {
    data: inserted,
    error,
    status,
  } = await rest
    .from('songs')
    .upsert(
      writes.map((write) => ({ id: write.songId, band_id: write.bandId, ...NEW_SONG, ...write.fields })),
      { onConflict: 'id', ignoreDuplicates: true },
    )
    .select('*');
  if (error) {
    const outcome = classify(error, status);
    return outcome.kind === 'retry' || writes.length === 1 ? writes.map(() => outcome) : undefined;
  }
  const rows = new Map(inserted.map((row) => [row.id, row]));
  // Rows the upsert skipped were there already (an earlier send whose answer was lost): read them.
  const skipped = writes.map((write) => write.songId).filter((id) => !rows.has(id));
  if (skipped.length > 0) {
    const {
      data,
      error: readError,
      status: readStatus,
    } = await rest.from('songs').select('*').in('id', skipped);
    if (readError) return writes.map(() => classify(readError, readStatus));
    for (const row of data) rows.set(row.id, row);
  }
  return writes.map((write): Outcome => {
    const row = rows.get(write.songId);
    return row
      ? { kind: 'confirmed', row }
      : { kind: 'failed', code: '42501', message: 'the song is not visible after insert' };
  });
}

async function versioned(
  rest: Rest,
  write: VersionedWrite,
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
async function appliedByMe(rest: Rest, write: VersionedWrite, userId: string): Promise<boolean> {
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
