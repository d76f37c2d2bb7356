import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Song } from '../../../contract/schema.js';
import {
  afterOutcome,
  foldIntoQueue,
  keepMine,
  nextBatch,
  nextWake,
  recordOf,
} from '../../../worker/outbox/outbox-queue.js';
import type { OutboxEntry, Write } from '../../../contract/writes.js';

const POLICY = { baseMs: 1000, factor: 2, capMs: 30_000, maxAttempts: 10 };
let order = 0;
function entry(write: Write, patch: Partial<OutboxEntry> = {}): OutboxEntry {
  order++;
  return {
    id: `e${order}`,
    order,
    userId: 'u',
    write,
    record: recordOf(write),
    status: 'pending',
    attempts: 0,
    notBefore: 0,
    error: undefined,
    theirs: undefined,
    createdAt: order,
    ...patch,
  };
}
const insert = (songId: string, title = 'T'): Write => ({
  kind: 'song.insert',
  songId,
  bandId: 'b',
  fields: { title },
});
const update = (songId: string, baseVersion: number, fields = {}): Write => ({
  kind: 'song.update',
  songId,
  bandId: 'b',
  baseVersion,
  fields,
});
const remove = (songId: string, baseVersion: number): Write => ({
  kind: 'song.delete',
  songId,
  bandId: 'b',
  baseVersion,
});

const restore = (songId: string, baseVersion: number): Write => ({
  kind: 'song.restore',
  songId,
  bandId: 'b',
  baseVersion,
});

/**
 * The reference definition nextBatch is checked against (it was the queue's own before nextBatch
 * replaced it): the oldest pending entry that no earlier open or conflicted write to its record
 * waits in front of, once its backoff is over.
 */
function nextToSend(queue: readonly OutboxEntry[], now: number): OutboxEntry | undefined {
  const blocked = new Set<string>();
  for (const e of [...queue].sort((a, b) => a.order - b.order)) {
    const record = recordOf(e.write);
    if (e.status === 'pending' && !blocked.has(record)) return e.notBefore <= now ? e : undefined;
    if (e.status === 'pending' || e.status === 'sending' || e.status === 'conflict') blocked.add(record);
  }
  return undefined;
}

function apply(queue: OutboxEntry[], next: OutboxEntry): OutboxEntry[] {
  const { put, remove: drop } = foldIntoQueue(queue, next);
  const kept = queue.filter((e) => !drop.includes(e.id) && !put.some((p) => p.id === e.id));
  return [...kept, ...put].sort((a, b) => a.order - b.order);
}

describe('outbox queue', () => {
  it('folds an edit into an unsent insert of the same song', () => {
    const queue = apply(apply([], entry(insert('s1', 'Draft'))), entry(update('s1', 1, { bpm: 120 })));
    expect(queue).toHaveLength(1);
    expect(queue[0]!.write).toEqual({
      kind: 'song.insert',
      songId: 's1',
      bandId: 'b',
      fields: { title: 'Draft', bpm: 120 },
    });
  });

  it('sends nothing for a song created and deleted offline', () => {
    expect(apply(apply([], entry(insert('s1'))), entry(remove('s1', 1)))).toEqual([]);
  });

  it('sends nothing for a delete undone before it left the device', () => {
    expect(apply(apply([], entry(remove('s1', 2))), entry(restore('s1', 3)))).toEqual([]);
  });

  it('sends an undo after a delete already on its way, on the version the delete makes', () => {
    const sending = entry(remove('s1', 2), { status: 'sending', attempts: 1 });
    const queue = apply([sending], entry(restore('s1', 2)));
    expect(queue.map((e) => e.write)).toEqual([remove('s1', 2), restore('s1', 3)]);
  });

  it('bases a write queued behind one in flight on the version that one will produce', () => {
    const sending = entry(update('s1', 3, { title: 'A' }), { status: 'sending', attempts: 1 });
    const queue = apply([sending], entry(update('s1', 3, { title: 'B' })));
    expect(queue.map((e) => e.write)).toEqual([
      update('s1', 3, { title: 'A' }),
      update('s1', 4, { title: 'B' }),
    ]);
  });

  it('drains in enqueue order, one write per record at a time', () => {
    const a = entry(update('s1', 1), { status: 'sending' });
    const b = entry(update('s1', 2));
    const c = entry(insert('s2'));
    expect(nextToSend([a, b, c], 0)).toBe(c);
    expect(nextToSend([{ ...a, status: 'confirmed' }, b, c], 0)).toBe(b);
  });

  it('sends consecutive inserts together, and an update or delete alone', () => {
    const inserts = [entry(insert('s1')), entry(insert('s2')), entry(insert('s3'))];
    const edit = entry(update('s9', 4));
    const later = entry(insert('s4'));
    const queue = [...inserts, edit, later];
    expect(nextBatch(queue, 0, 100)).toEqual(inserts);
    expect(nextBatch(queue, 0, 2)).toEqual(inserts.slice(0, 2));
    const sent = inserts.map((e) => ({ ...e, status: 'confirmed' as const }));
    expect(nextBatch([...sent, edit, later], 0, 100)).toEqual([edit]);
    // An edit of a song whose insert is in the batch waits for that insert.
    const editOfFirst = entry(update('s1', 1));
    expect(nextBatch([inserts[0]!, editOfFirst, later], 0, 100)).toEqual([inserts[0], later]);
  });

  it('batches exactly what sending one entry at a time would send next, for any queue', () => {
    const entryArb = fc.record({
      kind: fc.constantFrom('song.insert', 'song.update', 'song.delete'),
      song: fc.integer({ min: 0, max: 5 }),
      status: fc.constantFrom('pending', 'pending', 'pending', 'sending', 'conflict', 'failed'),
      notBefore: fc.constantFrom(0, 0, 0, 500),
    });
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 25 }), fc.integer({ min: 1, max: 8 }), (specs, max) => {
        const queue = specs.map((s) => {
          const write =
            s.kind === 'song.insert'
              ? insert(`s${s.song}`)
              : s.kind === 'song.update'
                ? update(`s${s.song}`, 1)
                : remove(`s${s.song}`, 1);
          return entry(write, { status: s.status as OutboxEntry['status'], notBefore: s.notBefore });
        });
        // The definition: take nextToSend, mark it sending, repeat while it is an insert.
        const expected: OutboxEntry[] = [];
        let rest = queue;
        for (;;) {
          const next = nextToSend(rest, 100);
          if (!next || (expected.length > 0 && next.write.kind !== 'song.insert')) break;
          expected.push(next);
          if (expected.length >= max || next.write.kind !== 'song.insert') break;
          rest = rest.map((e) => (e.id === next.id ? { ...e, status: 'sending' as const } : e));
        }
        expect(nextBatch(queue, 100, max)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('holds the whole queue while its oldest write backs off, so writes land in the order made', () => {
    const first = entry(insert('s1'), { attempts: 3, notBefore: 5000 });
    const second = entry(update('s2', 1), { attempts: 1, notBefore: 1000 });
    const third = entry(insert('s3'));
    expect(nextToSend([first, second, third], 2000)).toBeUndefined();
    expect(nextWake([first, second, third], 2000)).toBe(5000);
    expect(nextToSend([first, second, third], 5000)).toBe(first);
    expect(nextToSend([{ ...first, status: 'confirmed' }, second, third], 2000)).toBe(second);
  });

  it('lets a failed write block nothing, and a conflict block only its own record', () => {
    const failed = entry(insert('s1'), { status: 'failed' });
    const conflict = entry(update('s2', 1), { status: 'conflict' });
    const behindConflict = entry(update('s2', 2));
    const other = entry(insert('s3'));
    expect(nextToSend([failed, conflict, behindConflict, other], 0)).toBe(other);
  });

  it('backs off after a network error with jitter and never gives up', () => {
    let e = entry(insert('s1'));
    for (let i = 0; i < 40; i++)
      e = afterOutcome(e, { kind: 'retry', message: 'offline' }, 1000, 0.5, POLICY);
    expect(e).toMatchObject({ status: 'pending', attempts: 40, notBefore: 1000 + 15_000 });
    expect(nextToSend([e], 1000)).toBeUndefined();
    expect(nextWake([e], 1000)).toBe(16_000);
    expect(nextToSend([e], 16_000)).toBe(e);
  });

  it('records the server’s code on failure and the other member’s row on conflict', () => {
    const e = entry(update('s1', 1));
    expect(afterOutcome(e, { kind: 'failed', code: '42501', message: 'rls' }, 0, 0, POLICY)).toMatchObject({
      status: 'failed',
      error: { code: '42501', message: 'rls' },
    });
    const theirs = { id: 's1', version: 5, deleted_at: null } as Song;
    expect(afterOutcome(e, { kind: 'conflict', theirs }, 0, 0, POLICY)).toMatchObject({
      status: 'conflict',
      theirs,
    });
  });

  it('keeps mine by re-basing on their version, restoring a song they deleted', () => {
    const edited = entry(update('s1', 1, { bpm: 99 }), {
      status: 'conflict',
      theirs: { id: 's1', version: 4, deleted_at: '2026-01-01' } as Song,
    });
    expect(keepMine(edited)).toMatchObject({
      status: 'pending',
      write: { kind: 'song.update', baseVersion: 4, fields: { bpm: 99, deleted_at: null } },
    });
    expect(keepMine({ ...edited, theirs: null })).toBeUndefined();
  });
});
