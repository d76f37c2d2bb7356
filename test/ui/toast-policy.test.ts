import { describe, expect, it } from 'vitest';
import type {
  Band,
  BandWrite,
  ConnectionState,
  OutboxChange,
  OutboxEntry,
  RowChange,
  Song,
  SongWrite,
  Write,
} from '../../src/client/index.js';
import {
  connectionToasts,
  editConflictToast,
  notQueuedToast,
  ownWriteToast,
  queuedToast,
  toasts,
} from '../../src/ui/state/toast-policy.js';
import {
  BATCH_WINDOW_MS,
  TOAST_LIFETIME_MS,
  ToastQueue,
  type ToastRequest,
} from '../../src/ui/state/toast-queue.js';
import { songRow } from './fixtures.js';

describe('toast queue', () => {
  it('merges a burst of the same kind into one toast with a count', () => {
    const queue = new ToastQueue();
    queue.push(toasts.songAdded('One'), 0);
    queue.push(toasts.songAdded('Two'), 500);
    queue.push(toasts.songAdded('Three'), 900);
    expect(queue.visible).toHaveLength(1);
    expect(queue.visible[0]).toMatchObject({ count: 3, message: 'Added 3 songs' });
  });

  it('starts a new toast once the batch window has passed', () => {
    const queue = new ToastQueue();
    queue.push(toasts.songAdded('One'), 0);
    queue.push(toasts.songAdded('Two'), BATCH_WINDOW_MS + 1);
    expect(queue.visible.map((t) => t.message)).toEqual(['Added “One”', 'Added “Two”']);
  });

  it('keeps different kinds apart', () => {
    const queue = new ToastQueue();
    queue.push(toasts.songAdded('One'), 0);
    queue.push(toasts.songDeleted('Two'), 10);
    expect(queue.visible).toHaveLength(2);
  });

  it('expires ordinary toasts and keeps persistent ones until dismissed', () => {
    const queue = new ToastQueue();
    queue.push(toasts.songAdded('One'), 0);
    const stuck = queue.push(
      toasts.retriesExhausted(() => undefined),
      0,
    );
    expect(queue.nextExpiry()).toBe(TOAST_LIFETIME_MS);
    expect(queue.expire(TOAST_LIFETIME_MS)).toBe(true);
    expect(queue.visible).toEqual([stuck]);
    expect(queue.expire(10 * TOAST_LIFETIME_MS)).toBe(false);
    queue.dismiss(stuck.id);
    expect(queue.visible).toEqual([]);
  });

  it('replaces "connection lost" with "restored" under one key', () => {
    const queue = new ToastQueue();
    queue.push(toasts.connectionLost(), 0);
    queue.dismissKey('connection');
    queue.push(toasts.connectionRestored(), 10_000);
    expect(queue.visible.map((t) => t.tone)).toEqual(['success']);
  });
});

/** The song these tests conflict over: version 2, id s1. */
const song = (title: string, deleted = false): Song => songRow('s1', title, 2, deleted);

const band: Band = {
  id: 'b',
  name: 'The Band',
  description: '',
  created_by: null,
  created_at: '',
  updated_at: '',
};

const insert: SongWrite = { kind: 'song.insert', songId: 's1', bandId: 'b', fields: { title: 'Mine' } };
const update: SongWrite = { kind: 'song.update', songId: 's1', bandId: 'b', baseVersion: 1, fields: {} };
const create: BandWrite = { kind: 'band.create', bandId: 'b', name: 'The Band', description: '' };
const join: BandWrite = { kind: 'band.join', code: 'ABCD' };

const change = (
  write: Write,
  status: OutboxEntry['status'],
  removed: boolean,
  more: Partial<OutboxEntry> = {},
): OutboxChange => ({
  entry: {
    id: 'e1',
    order: 1,
    userId: 'u',
    write,
    record: 'r',
    status,
    attempts: 1,
    notBefore: 0,
    error: undefined,
    theirs: undefined,
    createdAt: 0,
    ...more,
  },
  removed,
});

const state = (kind: Exclude<ConnectionState['kind'], 'connected'> | 'connected'): ConnectionState =>
  kind === 'connected'
    ? { kind, since: 0, attempt: 0, nextRetryAt: null, lastError: null }
    : { kind, attempt: 1, nextRetryAt: null, lastError: null };

const text = (request: ToastRequest | undefined): string | undefined => request?.message(1);
const noResolve = (): void => undefined;

describe('toasts for writes', () => {
  it('says why a write could not be queued, naming what it was for', () => {
    expect(text(notQueuedToast(insert, 'disk full'))).toBe('Could not add the song: disk full');
    expect(text(notQueuedToast(create, 'no storage'))).toBe('Could not create the band: no storage');
    expect(text(notQueuedToast(join, 'bad code'))).toBe('Could not join the band: bad code');
  });

  it('says a write queued while not connected waits on this device, and nothing when connected', () => {
    expect(queuedToast(state('connected'))).toBeUndefined();
    expect(queuedToast(state('reconnecting'))?.key).toBe('queued-offline');
  });

  it('names what the page queued when it lands, even once folded into an earlier entry', () => {
    expect(
      text(ownWriteToast({ write: insert, title: 'Mine' }, change(insert, 'confirmed', true), noResolve)),
    ).toBe('Added “Mine”');
    // An edit of a song not yet sent folds into its insert: the user saved, so it says "Saved".
    expect(
      text(ownWriteToast({ write: update, title: 'Mine' }, change(insert, 'confirmed', true), noResolve)),
    ).toBe('Saved “Mine”');
  });

  it('keeps a refused song write on screen until dismissed, with the server’s reason', () => {
    const refused = change(insert, 'failed', false, {
      error: { code: 'check_violation', message: 'too long' },
    });
    expect(ownWriteToast({ write: insert, title: 'Doomed' }, refused, noResolve)).toMatchObject({
      tone: 'error',
      persistent: true,
    });
    expect(text(ownWriteToast({ write: insert, title: 'Doomed' }, refused, noResolve))).toBe(
      'Could not add “Doomed”: too long',
    );
  });

  it('offers Refresh and Keep mine on a conflict, answering for the entry', () => {
    const choices: string[] = [];
    const conflict = change(update, 'conflict', false, { theirs: song('Theirs') });
    const toast = ownWriteToast({ write: update, title: 'Mine' }, conflict, (choice) => choices.push(choice));
    expect(text(toast)).toBe('Someone else changed “Mine” (now: “Theirs”). Your change was not applied.');
    toast?.actions?.forEach((action) => action.run());
    expect(toast?.actions?.map((action) => action.label)).toEqual(['Refresh', 'Keep mine']);
    expect(choices).toEqual(['refresh', 'keep-mine']);
  });

  it('offers only Refresh when the other member deleted the song for good', () => {
    const toast = ownWriteToast(
      { write: update, title: 'Mine' },
      change(update, 'conflict', false, { theirs: null }),
      noResolve,
    );
    expect(text(toast)).toContain('(now: deleted)');
    expect(toast?.actions?.map((action) => action.label)).toEqual(['Refresh']);
  });

  it('stays quiet while a write waits or is being sent', () => {
    for (const status of ['pending', 'sending'] as const) {
      expect(
        ownWriteToast({ write: insert, title: 'Mine' }, change(insert, status, false), noResolve),
      ).toBeUndefined();
    }
  });

  it('says a band was created or joined once the server has it, and why not when refused', () => {
    expect(
      text(ownWriteToast({ write: create }, change(create, 'confirmed', true, { band }), noResolve)),
    ).toBe('Created The Band');
    expect(text(ownWriteToast({ write: join }, change(join, 'confirmed', true, { band }), noResolve))).toBe(
      'Joined The Band',
    );
    expect(
      ownWriteToast({ write: create }, change(create, 'sending', false, { band }), noResolve),
    ).toBeUndefined();
    const refused = ownWriteToast({ write: join }, change(join, 'failed', false), noResolve);
    expect(text(refused)).toBe('Could not join the band: refused');
    expect(refused?.persistent).toBeUndefined();
  });
});

describe('toast for a conflict while editing', () => {
  const edit = (actor: string | null, record: Song | null = song('Theirs')): RowChange<Song> => ({
    bandId: 'b',
    seq: 3,
    op: 'UPDATE',
    record,
    oldRecord: null,
    actor,
  });

  it('warns when another member changes the song being edited', () => {
    expect(text(editConflictToast(edit('other'), song('Mine'), 'me', noResolve))).toBe(
      'Someone else changed “Mine” (now: Theirs). Your change was not applied.',
    );
  });

  it('stays quiet for my own changes, other songs, and when nothing is being edited', () => {
    expect(editConflictToast(edit('me'), song('Mine'), 'me', noResolve)).toBeUndefined();
    expect(
      editConflictToast(edit('other', { ...song('Other'), id: 's2' }), song('Mine'), 'me', noResolve),
    ).toBeUndefined();
    expect(editConflictToast(edit('other'), undefined, 'me', noResolve)).toBeUndefined();
  });
});

describe('toasts for the connection', () => {
  it('says "lost" once when it goes down, however it stays down', () => {
    const lost = connectionToasts(state('reconnecting'), false);
    expect(lost).toMatchObject({ lost: true, dismiss: ['connection'] });
    expect(text(lost.show)).toContain('Connection lost');
    expect(connectionToasts(state('offline'), true).show).toBeUndefined();
    expect(connectionToasts(state('error'), true)).toMatchObject({ lost: true, show: undefined });
  });

  it('says "restored" once it is back, replacing the lost and retries-exhausted toasts', () => {
    const back = connectionToasts(state('connected'), true);
    expect(back).toMatchObject({ lost: false, dismiss: ['retries-exhausted', 'connection'] });
    expect(text(back.show)).toContain('Connection restored');
    expect(connectionToasts(state('connected'), false).show).toBeUndefined();
  });

  it('shows one connection toast at a time: lost again while "restored" still shows replaces it', () => {
    const queue = new ToastQueue();
    let told = false;
    const apply = (kind: ConnectionState['kind'], at: number): void => {
      const { lost, dismiss, show } = connectionToasts(state(kind), told);
      told = lost;
      dismiss.forEach((key) => queue.dismissKey(key));
      if (show) queue.push(show, at);
    };
    apply('reconnecting', 0);
    apply('connected', 1000);
    // Past the merge window, within the restored toast's life.
    apply('reconnecting', 1000 + BATCH_WINDOW_MS + 500);
    expect(queue.visible.map((toast) => toast.message)).toEqual([
      'Connection lost. Reconnecting; your view may be out of date.',
    ]);
  });

  it('says nothing at sign-out, and no "restored" at the next sign-in', () => {
    expect(connectionToasts(state('disconnected'), true)).toEqual({
      lost: false,
      dismiss: [],
      show: undefined,
    });
    expect(connectionToasts(state('connecting'), false).show).toBeUndefined();
  });
});
