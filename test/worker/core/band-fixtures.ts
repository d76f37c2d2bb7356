// Band rows, members and songs as Postgres writes them in JSON, and the band events a log holds:
// for the band cache's tests (core/band-rows.test.ts, band-feed.test.ts).
import type { BandRows } from '../../../contract/protocol.js';
import type { Band, BandEvent, BandMembership, Song } from '../../../contract/schema.js';

export const BAND_ID = '00000000-0000-4000-8000-00000000000b';
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
/** A timestamp as Postgres writes one in JSON, `tick` microseconds into the day. */
export const at = (tick: number): string =>
  `2026-12-02T07:00:${String(Math.floor(tick / 1e6)).padStart(2, '0')}.${String(tick % 1e6).padStart(6, '0')}+00:00`;

export const bandRow = (fields: Partial<Band> = {}): Band => ({
  id: BAND_ID,
  name: 'The Backliners',
  description: '',
  created_by: uuid(1),
  created_at: at(0),
  updated_at: at(0),
  ...fields,
});
export const member = (
  user: number,
  joined: number,
  fields: Partial<BandMembership> = {},
): BandMembership => ({
  band_id: BAND_ID,
  user_id: uuid(user),
  role: 'member',
  joined_at: at(joined),
  display_name: `user ${user}`,
  ...fields,
});
export const song = (id: number, created: number, fields: Partial<Song> = {}): Song => ({
  id: uuid(id),
  band_id: BAND_ID,
  title: `Song ${id}`,
  artist: '',
  key: null,
  bpm: null,
  duration_seconds: null,
  notes: '',
  version: 1,
  created_by: uuid(1),
  updated_by: uuid(1),
  created_at: at(created),
  updated_at: at(created),
  deleted_at: null,
  ...fields,
});

export const initial = (): BandRows => ({
  status: 'present',
  band: bandRow(),
  members: [member(1, 0)],
  songs: [],
});

type Row = Band | BandMembership | Song;

let last = 0;
/** The next event of the band's log (seqs count up across a test file). */
export const event = (table: BandEvent['table_name'], op: BandEvent['op'], row: Row): BandEvent =>
  eventAt(++last, table, op, row);

/** The band's event at `seq`: `row` is the record it logs (or the old record, for a DELETE). */
export function eventAt(
  seq: number,
  table: BandEvent['table_name'],
  op: BandEvent['op'],
  row: Row,
): BandEvent {
  const recordId = table === 'band_memberships' ? (row as BandMembership).user_id : (row as Song | Band).id;
  return {
    band_id: BAND_ID,
    seq,
    table_name: table,
    record_id: recordId,
    op,
    record: op === 'DELETE' ? null : row,
    old_record: op === 'INSERT' ? null : row,
    actor: uuid(1),
    at: at(seq),
  };
}
