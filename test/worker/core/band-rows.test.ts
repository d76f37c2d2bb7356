import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BandRows } from '../../../contract/protocol.js';
import type { BandEvent, BandMembership, Song } from '../../../contract/schema.js';
import {
  MalformedRows,
  applyBandEvent,
  parseBandSnapshot,
  type BandSnapshot,
} from '../../../worker/core/band-rows.js';
import { BAND_ID, at, bandRow, event, initial, member, song, uuid } from './band-fixtures.js';

const applyAll = (rows: BandRows, events: BandEvent[]): BandRows => events.reduce(applyBandEvent, rows);

describe('band rows', () => {
  it('adds, edits and removes songs by id, keeping them in created_at order', () => {
    const [a, b, c] = [song(10, 5), song(11, 3), song(12, 9)];
    const rows = applyAll(initial(), [
      event('songs', 'INSERT', a),
      event('songs', 'INSERT', b),
      event('songs', 'INSERT', c),
      event('songs', 'UPDATE', { ...a, title: 'Renamed', version: 2 }),
      event('songs', 'DELETE', b),
    ]);
    expect(rows.songs.map((s) => [s.id, s.title])).toEqual([
      [a.id, 'Renamed'],
      [c.id, c.title],
    ]);
  });

  it('keeps a soft-deleted song, as the log and the snapshot do', () => {
    const a = song(10, 1);
    const deleted = { ...a, deleted_at: at(2), version: 2 };
    const rows = applyAll(initial(), [event('songs', 'INSERT', a), event('songs', 'UPDATE', deleted)]);
    expect(rows.songs).toEqual([deleted]);
  });

  it('orders songs made in one transaction (one created_at) by id', () => {
    const rows = applyAll(initial(), [
      event('songs', 'INSERT', song(30, 4)),
      event('songs', 'INSERT', song(20, 4)),
    ]);
    expect(rows.songs.map((s) => s.id)).toEqual([uuid(20), uuid(30)]);
  });

  it('adds members by user id in joined_at order, changes their role and removes them', () => {
    const rows = applyAll(initial(), [
      event('band_memberships', 'INSERT', member(3, 7)),
      event('band_memberships', 'INSERT', member(2, 4)),
      event('band_memberships', 'UPDATE', member(3, 7, { role: 'admin' })),
      event('band_memberships', 'DELETE', member(1, 0)),
    ]);
    expect(rows.members.map((m) => [m.user_id, m.role])).toEqual([
      [uuid(2), 'member'],
      [uuid(3), 'admin'],
    ]);
  });

  it("takes the band row's updates", () => {
    const rows = applyAll(initial(), [
      event('bands', 'UPDATE', bandRow({ description: 'Loud', updated_at: at(9) })),
    ]);
    expect(rows.band.description).toBe('Loud');
  });

  it('marks the band deleted, with its last row, and takes nothing after', () => {
    const before = applyAll(initial(), [event('songs', 'INSERT', song(10, 1))]);
    const rows = applyAll(before, [
      event('bands', 'DELETE', bandRow()),
      event('songs', 'INSERT', song(11, 2)),
    ]);
    expect(rows).toEqual({ status: 'deleted', band: before.band, members: [], songs: [] });
  });

  it('never changes the rows it is given', () => {
    const rows = initial();
    const copy = structuredClone(rows);
    applyAll(rows, [
      event('songs', 'INSERT', song(10, 1)),
      event('band_memberships', 'DELETE', member(1, 0)),
    ]);
    expect(rows).toEqual(copy);
  });

  it('refuses an event of another band, and a record that is not a row, saying which', () => {
    const other = { ...event('songs', 'INSERT', song(10, 1)), band_id: uuid(99) };
    expect(() => applyBandEvent(initial(), other)).toThrow(MalformedRows);
    const broken = event('songs', 'INSERT', { ...song(11, 1), bpm: 'fast' } as unknown as Song);
    expect(() => applyBandEvent(initial(), broken)).toThrow(
      `songs INSERT at seq ${broken.seq}.bpm is not a whole number or null`,
    );
    const elsewhere = event('songs', 'INSERT', { ...song(12, 1), band_id: uuid(99) });
    expect(() => applyBandEvent(initial(), elsewhere)).toThrow(`belongs to band ${uuid(99)}`);
  });
});

describe('parsing band_snapshot', () => {
  const answer = (): Record<string, unknown> => ({
    seq: 7,
    band: bandRow(),
    members: [member(2, 5), member(1, 0)],
    songs: [song(10, 3)],
  });

  it('answers the rows in their order and the seq they stand at', () => {
    expect(parseBandSnapshot(answer(), BAND_ID)).toEqual({
      seq: 7,
      rows: {
        status: 'present',
        band: bandRow(),
        members: [member(1, 0), member(2, 5)],
        songs: [song(10, 3)],
      },
    });
  });

  it('answers null when the caller cannot see the band', () => {
    expect(parseBandSnapshot(null, BAND_ID)).toBeNull();
  });

  it('refuses what is not a snapshot of the band asked for, saying what is wrong', () => {
    const cases: [unknown, string][] = [
      ['rows', 'band_snapshot is not an object'],
      [{ ...answer(), seq: 0 }, 'band_snapshot.seq is not a positive whole number'],
      [{ ...answer(), seq: '7' }, 'band_snapshot.seq is not a positive whole number'],
      [{ ...answer(), band: bandRow({ id: uuid(5) }) }, `band_snapshot.band belongs to band ${uuid(5)}`],
      [{ ...answer(), songs: {} }, 'band_snapshot.songs is not an array'],
      [
        { ...answer(), members: [{ ...member(1, 0), role: 'owner' }] },
        'band_snapshot.members[0].role is not admin or member',
      ],
      [
        { ...answer(), songs: [song(1, 1), { ...song(2, 1), created_at: 'yesterday' }] },
        'band_snapshot.songs[1].created_at is not a timestamp',
      ],
    ];
    for (const [data, message] of cases) expect(() => parseBandSnapshot(data, BAND_ID)).toThrow(message);
  });

  it('refuses any malformed answer with MalformedRows, never another error', () => {
    /** A valid row, a row with one field replaced by anything, or anything at all. */
    const rowOr = (row: Record<string, unknown>): fc.Arbitrary<unknown> =>
      fc.oneof(
        fc.constant(row),
        fc
          .tuple(fc.constantFrom(...Object.keys(row)), fc.anything())
          .map(([name, value]) => ({ ...row, [name]: value })),
        fc.anything(),
      );
    const answers = fc.oneof(
      fc.anything(),
      fc.record({
        seq: fc.oneof(fc.constant(7), fc.anything()),
        band: rowOr(bandRow()),
        members: fc.oneof(fc.array(rowOr(member(1, 0)), { maxLength: 3 }), fc.anything()),
        songs: fc.oneof(fc.array(rowOr(song(10, 3)), { maxLength: 3 }), fc.anything()),
      }),
    );
    fc.assert(
      fc.property(answers, (data) => {
        try {
          parseBandSnapshot(data, BAND_ID);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedRows);
        }
      }),
    );
  });
});

/** What a member can do to a band, by position among the rows there are when it happens. */
type Action =
  | { kind: 'add-song'; tick: number; title: string }
  | { kind: 'edit-song'; pick: number; title: string; deleted: boolean }
  | { kind: 'remove-song'; pick: number }
  | { kind: 'join'; tick: number }
  | { kind: 'change-role'; pick: number }
  | { kind: 'leave'; pick: number }
  | { kind: 'describe'; description: string }
  | { kind: 'delete-band' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('add-song' as const),
      tick: fc.integer({ min: 0, max: 20 }),
      title: fc.string(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('edit-song' as const),
      pick: fc.nat(),
      title: fc.string(),
      deleted: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove-song' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('join' as const), tick: fc.integer({ min: 0, max: 20 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('change-role' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('describe' as const), description: fc.string() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'delete-band' as const }) },
);

/**
 * The events a database would log for `actions`, and its tables after them (the model): plain
 * maps, sorted once at the end, as band_snapshot's `order by` would read them.
 */
function simulate(actions: Action[]): { events: BandEvent[]; tables: BandRows } {
  const songs = new Map<string, Song>();
  const members = new Map<string, BandMembership>([[uuid(1), member(1, 0)]]);
  let band = bandRow();
  let deleted = false;
  let next = 100;
  const events: BandEvent[] = [];
  const pick = <T>(rows: Map<string, T>, n: number): T | undefined =>
    [...rows.values()][n % Math.max(1, rows.size)];
  for (const a of actions) {
    if (deleted) break;
    switch (a.kind) {
      case 'add-song': {
        const row = song(next++, a.tick, { title: a.title });
        songs.set(row.id, row);
        events.push(event('songs', 'INSERT', row));
        break;
      }
      case 'edit-song': {
        const old = pick(songs, a.pick);
        if (!old) break;
        const row = {
          ...old,
          title: a.title,
          version: old.version + 1,
          deleted_at: a.deleted ? at(99) : null,
        };
        songs.set(row.id, row);
        events.push(event('songs', 'UPDATE', row));
        break;
      }
      case 'remove-song': {
        const old = pick(songs, a.pick);
        if (!old) break;
        songs.delete(old.id);
        events.push(event('songs', 'DELETE', old));
        break;
      }
      case 'join': {
        const row = member(next++, a.tick);
        members.set(row.user_id, row);
        events.push(event('band_memberships', 'INSERT', row));
        break;
      }
      case 'change-role': {
        const old = pick(members, a.pick);
        if (!old) break;
        const row: BandMembership = { ...old, role: old.role === 'admin' ? 'member' : 'admin' };
        members.set(row.user_id, row);
        events.push(event('band_memberships', 'UPDATE', row));
        break;
      }
      case 'leave': {
        const old = pick(members, a.pick);
        if (!old) break;
        members.delete(old.user_id);
        events.push(event('band_memberships', 'DELETE', old));
        break;
      }
      case 'describe':
        band = { ...band, description: a.description };
        events.push(event('bands', 'UPDATE', band));
        break;
      case 'delete-band':
        deleted = true;
        events.push(event('bands', 'DELETE', band));
        break;
    }
  }
  const sorted = <T>(rows: Map<string, T>, key: (row: T) => string): T[] =>
    [...rows.values()].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  const tables: BandRows = deleted
    ? { status: 'deleted', band, members: [], songs: [] }
    : {
        status: 'present',
        band,
        members: sorted(members, (m) => `${m.joined_at} ${m.user_id}`),
        songs: sorted(songs, (s) => `${s.created_at} ${s.id}`),
      };
  return { events, tables };
}

/** Rows as band_snapshot would answer them at `seq`, through JSON and the parser. */
function snapshotOf(rows: BandRows, seq: number): BandSnapshot {
  const answer = JSON.parse(
    JSON.stringify({ seq, band: rows.band, members: rows.members, songs: rows.songs }),
  ) as unknown;
  return parseBandSnapshot(answer, BAND_ID)!;
}

describe('band rows over any run of events', () => {
  const start = (): BandRows => initial();

  it('end as the database tables do', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        const { events, tables } = simulate(actions);
        expect(applyAll(start(), events)).toEqual(tables);
      }),
    );
  });

  it('are the same from the first snapshot on as from a later snapshot and only the events after it', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), fc.nat(), (actions, cut) => {
        const { events } = simulate(actions.filter((a) => a.kind !== 'delete-band'));
        const split = events.length === 0 ? 0 : cut % (events.length + 1);
        const prefix = applyAll(start(), events.slice(0, split));
        const later = snapshotOf(prefix, events[split - 1]?.seq ?? 1);
        expect(applyAll(later.rows, events.slice(split))).toEqual(applyAll(start(), events));
      }),
    );
  });
});
