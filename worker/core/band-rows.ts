// One band's rows as a value (contract BandRows), and how a band event moves it on: the broker's
// band cache. Pure: the band feed applies each event it delivers (in seq order, once) and answers
// watches with the result. The rows start from band_snapshot(), whose answer comes from the
// server and is parsed here as untrusted input; the records of band events are parsed the same
// way, so a malformed one is refused with a clear error instead of reaching a tab.
import { assertNever } from '../../contract/assert-never.js';
import type { BandRows } from '../../contract/protocol.js';
import type { Band, BandEvent, BandMembership, MembershipRole, Song } from '../../contract/schema.js';

/** The band's rows and the seq of its log they stand at: band_snapshot's answer. */
export interface BandSnapshot {
  seq: number;
  rows: BandRows;
}

/** Something the server sent that is not a band's rows (a bug or a schema out of step). */
export class MalformedRows extends Error {}

/** The rows after `event`, the band's next event in its log. A deleted band takes no more. */
export function applyBandEvent(rows: BandRows, event: BandEvent): BandRows {
  const bandId = rows.band.id;
  if (event.band_id !== bandId)
    throw new MalformedRows(`an event of band ${event.band_id} applied to band ${bandId}`);
  if (rows.status === 'deleted') return rows;
  const where = `${event.table_name} ${event.op} at seq ${event.seq}`;
  const removing = event.op === 'DELETE';
  switch (event.table_name) {
    case 'bands':
      if (removing) return { status: 'deleted', band: rows.band, members: [], songs: [] };
      return { ...rows, band: ofBand(parseBand(event.record, where), bandId, where) };
    case 'band_memberships': {
      const members = rows.members.filter((m) => m.user_id !== event.record_id);
      if (removing) return { ...rows, members };
      const member = ofBand(parseMembership(event.record, where), bandId, where);
      return { ...rows, members: inserted(members, member, memberOrder) };
    }
    case 'songs': {
      const songs = rows.songs.filter((s) => s.id !== event.record_id);
      if (removing) return { ...rows, songs };
      const song = ofBand(parseSong(event.record, where), bandId, where);
      return { ...rows, songs: inserted(songs, song, songOrder) };
    }
    default:
      return assertNever(event.table_name);
  }
}

/**
 * band_snapshot's answer for `bandId`: null when the caller cannot see the band; a malformed
 * answer throws MalformedRows saying what is wrong.
 */
export function parseBandSnapshot(data: unknown, bandId: string): BandSnapshot | null {
  if (data === null) return null;
  const input = object(data, 'band_snapshot');
  const seq = input['seq'];
  if (!Number.isSafeInteger(seq) || (seq as number) < 1)
    throw new MalformedRows('band_snapshot.seq is not a positive whole number');
  const band = ofBand(parseBand(input['band'], 'band_snapshot.band'), bandId, 'band_snapshot.band');
  const members = list(input['members'], 'band_snapshot.members').map((m, i) =>
    ofBand(parseMembership(m, `band_snapshot.members[${i}]`), bandId, `band_snapshot.members[${i}]`),
  );
  const songs = list(input['songs'], 'band_snapshot.songs').map((s, i) =>
    ofBand(parseSong(s, `band_snapshot.songs[${i}]`), bandId, `band_snapshot.songs[${i}]`),
  );
  return {
    seq: seq as number,
    rows: {
      status: 'present',
      band,
      members: [...members].sort(memberOrder),
      songs: [...songs].sort(songOrder),
    },
  };
}

export function parseBand(value: unknown, where: string): Band {
  const row = new Fields(value, where);
  return {
    id: row.uuid('id'),
    name: row.text('name'),
    description: row.text('description'),
    created_by: row.nullableUuid('created_by'),
    created_at: row.timestamp('created_at'),
    updated_at: row.timestamp('updated_at'),
  };
}

export function parseMembership(value: unknown, where: string): BandMembership {
  const row = new Fields(value, where);
  return {
    band_id: row.uuid('band_id'),
    user_id: row.uuid('user_id'),
    role: row.role('role'),
    joined_at: row.timestamp('joined_at'),
    display_name: row.text('display_name'),
  };
}

export function parseSong(value: unknown, where: string): Song {
  const row = new Fields(value, where);
  return {
    id: row.uuid('id'),
    band_id: row.uuid('band_id'),
    title: row.text('title'),
    artist: row.text('artist'),
    key: row.nullableText('key'),
    bpm: row.nullableInteger('bpm'),
    duration_seconds: row.nullableInteger('duration_seconds'),
    notes: row.text('notes'),
    version: row.integer('version'),
    created_by: row.nullableUuid('created_by'),
    updated_by: row.nullableUuid('updated_by'),
    created_at: row.timestamp('created_at'),
    updated_at: row.timestamp('updated_at'),
    deleted_at: row.nullableTimestamp('deleted_at'),
  };
}

/**
 * The server's orders (band_snapshot's `order by`): timestamps as Postgres writes them in JSON,
 * all in the database's one time zone, so their text sorts as their instants do; ties by uuid,
 * whose lowercase text sorts as Postgres sorts uuids.
 */
const memberOrder = (a: BandMembership, b: BandMembership): number =>
  byText(a.joined_at, b.joined_at) || byText(a.user_id, b.user_id);
const songOrder = (a: Song, b: Song): number => byText(a.created_at, b.created_at) || byText(a.id, b.id);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A new list with `row` in its place by `order`. */
function inserted<T>(rows: readonly T[], row: T, order: (a: T, b: T) => number): T[] {
  const at = rows.findIndex((other) => order(row, other) < 0);
  return at < 0 ? [...rows, row] : [...rows.slice(0, at), row, ...rows.slice(at)];
}

function ofBand<T extends { id: string } | { band_id: string }>(row: T, bandId: string, where: string): T {
  const owner = 'band_id' in row ? row.band_id : row.id;
  if (owner !== bandId) throw new MalformedRows(`${where} belongs to band ${owner}, not ${bandId}`);
  return row;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedRows(`${where} is not an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedRows(`${where} is not an array`);
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The shape Postgres gives a timestamptz in JSON: `2026-12-02T07:21:59.123456+00:00`. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/;

/** One row's fields, each checked against its column's type; the first wrong one throws. */
class Fields {
  private readonly row: Record<string, unknown>;

  constructor(
    value: unknown,
    private readonly where: string,
  ) {
    this.row = object(value, where);
  }

  text(name: string): string {
    return this.check(name, (v) => typeof v === 'string', 'text') as string;
  }

  nullableText(name: string): string | null {
    return this.check(name, (v) => v === null || typeof v === 'string', 'text or null') as string | null;
  }

  integer(name: string): number {
    return this.check(name, Number.isSafeInteger, 'a whole number') as number;
  }

  nullableInteger(name: string): number | null {
    return this.check(name, (v) => v === null || Number.isSafeInteger(v), 'a whole number or null') as
      number | null;
  }

  uuid(name: string): string {
    return this.check(name, (v) => typeof v === 'string' && UUID.test(v), 'a uuid') as string;
  }

  nullableUuid(name: string): string | null {
    return this.check(
      name,
      (v) => v === null || (typeof v === 'string' && UUID.test(v)),
      'a uuid or null',
    ) as string | null;
  }

  timestamp(name: string): string {
    return this.check(name, (v) => typeof v === 'string' && TIMESTAMP.test(v), 'a timestamp') as string;
  }

  nullableTimestamp(name: string): string | null {
    return this.check(
      name,
      (v) => v === null || (typeof v === 'string' && TIMESTAMP.test(v)),
      'a timestamp or null',
    ) as string | null;
  }

  role(name: string): MembershipRole {
    return this.check(name, (v) => v === 'admin' || v === 'member', 'admin or member') as MembershipRole;
  }

  private check(name: string, valid: (value: unknown) => boolean, what: string): unknown {
    const value = this.row[name];
    if (!valid(value)) throw new MalformedRows(`${this.where}.${name} is not ${what}`);
    return value;
  }
}
