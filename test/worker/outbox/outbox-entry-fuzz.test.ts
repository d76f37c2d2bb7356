// Fuzzes what the outbox reads back from IndexedDB (parseEntry): anything at all, and valid
// entries with one field broken or missing, as another app version or a broken browser may leave
// them. Reading never throws; a valid entry comes back unchanged; anything else becomes a visible
// failed entry that is never sent and keeps one id, so the user can dismiss it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextBatch, recordOf } from '../../../worker/outbox/outbox-queue.js';
import type { OutboxEntry, Write } from '../../../contract/writes.js';
import { parseEntry } from '../../../worker/outbox/stored-entry.js';
import { parseWrite } from '../../../worker/validate.js';

const USER = '0b6f1c3c-2b7a-4d0e-9a51-0c9e8c1b2a3d';
const NOW = 1_800_000_000_000;

const trimmed = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ minLength: min, maxLength: max }).filter((s) => s.trim() === s && s.length >= min);
const songFields = fc.record(
  {
    title: trimmed(1, 200),
    artist: fc.string({ maxLength: 200 }),
    key: fc.option(fc.string({ maxLength: 12 })),
    bpm: fc.option(fc.integer({ min: 20, max: 400 })),
    duration_seconds: fc.option(fc.integer({ min: 0, max: 86_400 })),
    notes: fc.string({ maxLength: 50 }),
    deleted_at: fc.constant(null),
  },
  { requiredKeys: [] },
);
const version = fc.integer({ min: 1, max: 1_000_000 });
/** Every write a tab can queue, as validate.write leaves it. */
const write: fc.Arbitrary<Write> = fc.oneof(
  fc
    .record({ songId: fc.uuid(), bandId: fc.uuid(), fields: songFields, title: trimmed(1, 200) })
    .map(({ songId, bandId, fields, title }) => ({
      kind: 'song.insert' as const,
      songId,
      bandId,
      fields: { ...fields, title },
    })),
  fc
    .record({ songId: fc.uuid(), bandId: fc.uuid(), baseVersion: version, fields: songFields })
    .map((w) => ({ kind: 'song.update' as const, ...w })),
  fc
    .record({ songId: fc.uuid(), bandId: fc.uuid(), baseVersion: version })
    .map((w) => ({ kind: 'song.delete' as const, ...w })),
  fc
    .record({ songId: fc.uuid(), bandId: fc.uuid(), baseVersion: version })
    .map((w) => ({ kind: 'song.restore' as const, ...w })),
  fc
    .record({ bandId: fc.uuid(), name: trimmed(1, 100), description: fc.string({ maxLength: 100 }) })
    .map((w) => ({ kind: 'band.create' as const, ...w })),
  fc.stringMatching(/^[A-Z0-9]{4,32}$/).map((code) => ({ kind: 'band.join' as const, code })),
);
const song = fc.record({
  id: fc.uuid(),
  band_id: fc.uuid(),
  title: fc.string(),
  artist: fc.string(),
  key: fc.option(fc.string()),
  bpm: fc.option(fc.integer({ min: 20, max: 400 })),
  duration_seconds: fc.option(fc.nat()),
  notes: fc.string(),
  version,
  created_by: fc.option(fc.uuid()),
  updated_by: fc.option(fc.uuid()),
  created_at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  updated_at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  deleted_at: fc.option(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
});
/** An entry as the current version stores it. */
const entry: fc.Arbitrary<OutboxEntry> = fc
  .record({
    id: fc.uuid(),
    order: fc.integer({ min: 1, max: 2 ** 40 }),
    write,
    status: fc.constantFrom('pending', 'sending', 'conflict', 'failed'),
    attempts: fc.nat({ max: 1000 }),
    notBefore: fc.nat({ max: NOW * 2 }),
    error: fc.option(fc.record({ code: fc.string(), message: fc.string() }), { nil: undefined }),
    theirs: fc.option(fc.option(song), { nil: undefined }),
    createdAt: fc.nat({ max: NOW }),
  })
  .map((e) => ({ ...e, userId: USER, record: recordOf(e.write) }));

const ENTRY_KEYS = [
  'id',
  'order',
  'userId',
  'write',
  'record',
  'status',
  'attempts',
  'notBefore',
  'error',
  'theirs',
  'createdAt',
] as const;

/** A valid entry with one field, or one field of its write, replaced by anything or removed. */
const mutated = fc
  .record({
    entry,
    inWrite: fc.boolean(),
    key: fc.oneof(fc.constantFrom(...ENTRY_KEYS), fc.string({ maxLength: 12 })),
    writeKey: fc.constantFrom('kind', 'songId', 'bandId', 'baseVersion', 'fields', 'name', 'code', 'title'),
    value: fc.option(
      fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true }),
      {
        nil: undefined,
      },
    ),
    remove: fc.boolean(),
  })
  .map(({ entry: valid, inWrite, key, writeKey, value, remove }) => {
    const copy = structuredClone(valid) as unknown as Record<string, unknown>;
    let target = copy;
    let name: string = key;
    if (inWrite) {
      target = copy['write'] as Record<string, unknown>;
      name = writeKey;
      if (name === 'title') {
        target = (target['fields'] ?? {}) as Record<string, unknown>;
        target['fields'] ??= target;
      }
    }
    if (remove) delete target[name];
    else target[name] = value;
    return copy;
  });

const STATUSES = ['pending', 'sending', 'confirmed', 'conflict', 'failed'];
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the rest of the outbox relies on, checked independently of parseEntry. */
function wellFormed(e: OutboxEntry): void {
  expect(typeof e.id === 'string' && e.id !== '').toBe(true);
  expect(Number.isFinite(e.order)).toBe(true);
  expect(e.userId).toBe(USER);
  // A write a tab could have queued: the boundary's own validator takes it unchanged.
  expect(parseWrite(e.write)).toEqual(e.write);
  expect(e.record).toBe(recordOf(e.write));
  expect(STATUSES).toContain(e.status);
  expect(Number.isSafeInteger(e.attempts) && e.attempts >= 0).toBe(true);
  expect(Number.isFinite(e.notBefore)).toBe(true);
  expect(Number.isFinite(e.createdAt)).toBe(true);
  if (e.error !== undefined) {
    expect(isObject(e.error)).toBe(true);
    expect(typeof e.error.code).toBe('string');
    expect(typeof e.error.message).toBe('string');
  }
  if (e.theirs !== undefined && e.theirs !== null) {
    expect(isObject(e.theirs)).toBe(true);
    expect(Number.isSafeInteger(e.theirs.version) && e.theirs.version >= 1).toBe(true);
  }
}

/** A corrupt entry: failed with corrupt_entry, for this user, never sent. */
function visiblyCorrupt(e: OutboxEntry): void {
  expect(e.status).toBe('failed');
  expect(e.userId).toBe(USER);
  expect(e.error).toEqual({
    code: 'corrupt_entry',
    message: 'This queued change could not be read and was not sent.',
  });
  expect(nextBatch([e], NOW * 3, 250)).toEqual([]);
}

/** Reading a stored value: never throws, and is either well formed or visibly corrupt. */
function readsSafely(value: unknown): OutboxEntry {
  const parsed = parseEntry(value, USER);
  if (parsed.error?.code === 'corrupt_entry') visiblyCorrupt(parsed);
  else wellFormed(parsed);
  // The same record read twice is the same entry (its id too, or it could never be dismissed).
  expect(parseEntry(value, USER)).toEqual(parsed);
  return parsed;
}

describe('stored outbox entries, fuzzed', () => {
  it('reads a valid entry back unchanged (one cut off mid-send as pending again)', () => {
    fc.assert(
      fc.property(entry, (stored) => {
        const parsed = readsSafely(structuredClone(stored));
        expect(parsed).toEqual(stored.status === 'sending' ? { ...stored, status: 'pending' } : stored);
      }),
      { numRuns: 500 },
    );
  });

  it('reads any value at all as a well-formed entry or a visible failed one', () => {
    fc.assert(
      fc.property(
        fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true }),
        (value) => {
          readsSafely(value);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads a valid entry with one field broken or missing as itself or a visible failed entry', () => {
    fc.assert(
      fc.property(mutated, (value) => {
        const parsed = readsSafely(value);
        // Accepted means accepted as stored: nothing is quietly repaired into a different write.
        // (`record` is derived from the write: entries of the first version had none.)
        if (parsed.error?.code !== 'corrupt_entry') {
          const { status, write: stored } = value as { status: unknown; write: Write };
          expect(parsed).toEqual({
            ...value,
            record: recordOf(stored),
            status: status === 'sending' ? 'pending' : status,
          });
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('regressions found by fuzzing', () => {
  const stored = (patch: Record<string, unknown>): Record<string, unknown> => ({
    id: 'e1',
    order: 1,
    userId: USER,
    write: { kind: 'band.join', code: 'A0AA' },
    record: 'join:A0AA',
    status: 'pending',
    attempts: 0,
    notBefore: 0,
    error: undefined,
    theirs: undefined,
    createdAt: 0,
    ...patch,
  });

  it('gives a corrupt record the same id on every read, so the user can dismiss it', () => {
    // Shrunk: 0. A corrupt record got a fresh random id on each read: resolveWrite never found it.
    expect(parseEntry(0, USER).id).toBe(parseEntry(0, USER).id);
    expect(parseEntry(stored({ id: 7, order: 'x' }), USER).id).toBe('corrupt-number:7');
  });

  it('reads an entry whose id is not a string as corrupt, not as a write to send', () => {
    // Shrunk: a valid band.join with id undefined was read as a pending write with no id.
    const read = parseEntry(stored({ id: undefined }), USER);
    expect(read.status).toBe('failed');
    expect(read.error?.code).toBe('corrupt_entry');
  });

  it('reads a write carrying a field its kind does not have, or one of the wrong type, as corrupt', () => {
    // Shrunk: { kind: 'band.join', code: 'AA00', songId: false } was trusted and queued for sending.
    for (const write of [
      { kind: 'band.join', code: 'AA00', songId: false },
      { kind: 'song.update', songId: USER, bandId: USER, baseVersion: 1, fields: null },
      // Shrunk from the fix's first version, which compared writes as JSON: a Map reads as {}.
      { kind: 'song.update', songId: USER, bandId: USER, baseVersion: 1, fields: new Map() },
      { kind: 'song.delete', songId: USER, bandId: USER, baseVersion: Number.NaN },
    ]) {
      expect(parseEntry(stored({ write, record: recordOf(write as Write) }), USER).error?.code).toBe(
        'corrupt_entry',
      );
    }
  });
});
