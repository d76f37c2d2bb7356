// The database as the soak's source of truth: each band's log, its head, and the songs the
// writers made, read with the service role.
import type { Client } from '../../test/support/backend.js';
import { headSeq } from '../browser/writer.js';
import type { LoggedEvent } from './checker.js';
import type { ChangeStream } from './writer.js';

/** The database's log per band: the source of truth every tab is compared with. */
export async function databaseLog(reader: Client, bands: string[]): Promise<Record<string, LoggedEvent[]>> {
  const log: Record<string, LoggedEvent[]> = {};
  for (const bandId of bands) {
    log[bandId] = [];
    for (let after = 0; ;) {
      const { data, error } = await reader
        .from('band_events')
        .select('seq, table_name, op, record_id, record, old_record')
        .eq('band_id', bandId)
        .gt('seq', after)
        .order('seq')
        .limit(1000);
      if (error) throw new Error(error.message);
      for (const row of data) {
        log[bandId].push({
          seq: row.seq,
          table: row.table_name,
          op: row.op,
          id: row.record_id,
          row: JSON.stringify(row.record ?? row.old_record),
        });
      }
      if (data.length < 1000) break;
      after = data[data.length - 1]!.seq;
    }
  }
  return log;
}

export async function databaseHeads(reader: Client, bands: string[]): Promise<Record<string, number>> {
  const heads = await Promise.all(bands.map((bandId) => headSeq(reader, bandId)));
  return Object.fromEntries(bands.map((bandId, i) => [bandId, heads[i]!]));
}

/** The songs with these ids in the database: id → bpm (absent when the song is not there). */
export async function songsById(service: Client, ids: string[]): Promise<Map<string, number | null>> {
  const rows = new Map<string, number | null>();
  for (let i = 0; i < ids.length; i += 100) {
    const { data, error } = await service
      .from('songs')
      .select('id, bpm')
      .in('id', ids.slice(i, i + 100));
    if (error) throw new Error(error.message);
    data.forEach((row) => rows.set(row.id, row.bpm));
  }
  return rows;
}

export async function writerModelHolds(service: Client, writer: ChangeStream): Promise<boolean> {
  const ids = [...writer.songs.keys()];
  const rows = await songsById(service, ids);
  return ids.length === rows.size && ids.every((id) => rows.get(id) === writer.songs.get(id)!.bpm);
}
