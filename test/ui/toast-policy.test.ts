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
  conflictToast,
  connectionToasts,
  editConflictToast,
  notQueuedToast,
  ownWriteToast,
  queuedToast,
  toasts,
  UNDO_WINDOW_MS,
  type OwnConflict,
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
    queue.push(
      toasts.songDeleted('s2', 'Two', () => undefined),
      10,
    );
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

  it('keeps at most two toasts that stay: a third pushes the oldest out', () => {
    const queue = new ToastQueue();
    const stay = (key: string): ToastRequest => ({
      key,
      tone: 'error',
      message: () => key,
      persistent: true,
    });
    queue.push(toasts.songAdded('One'), 0);
    for (const [i, key] of ['a', 'b', 'c'].entries()) queue.push(stay(key), i);
    expect(queue.visible.map((t) => t.message)).toEqual(['Added “One”', 'b', 'c']);
  });

  it('shows a toast for its own lifetime when it asks for one', () => {
    const queue = new ToastQueue();
    queue.push(
      toasts.songDeleted('s1', 'Mine', () => undefined),
      0,
    );
    expect(queue.expire(TOAST_LIFETIME_MS)).toBe(false);
    expect(queue.expire(UNDO_WINDOW_MS)).toBe(true);
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
const remove: SongWrite = { kind: 'song.delete', songId: 's1', bandId: 'b', baseVersion: 2 };
const restore: SongWrite = { kind: 'song.restore', songId: 's1', bandId: 'b', baseVersion: 3 };
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
    expect(text(ownWriteToast({ write: insert, title: 'Mine' }, change(insert, 'confirmed', true)))).toBe(
      'Added “Mine”',
    );
    // An edit of a song not yet sent folds into its insert: the user saved, so it says "Saved".
    expect(text(ownWriteToast({ write: update, title: 'Mine' }, change(insert, 'confirmed', true)))).toBe(
      'Saved “Mine”',
    );
  });

  it('keeps a refused song write on screen until dismissed, with the server’s reason', () => {
    const refused = change(insert, 'failed', false, {
      error: { code: 'check_violation', message: 'too long' },
    });
    expect(ownWriteToast({ write: insert, title: 'Doomed' }, refused)).toMatchObject({
      tone: 'error',
      persistent: true,
    });
    expect(text(ownWriteToast({ write: insert, title: 'Doomed' }, refused))).toBe(
      'Could not add “Doomed”: too long',
    );
  });

  it('says nothing when an entry leaves unconfirmed: Refresh, Dismiss, or an unsent write undone', () => {
    const refused = { error: { code: '42501', message: 'no' } };
    expect(ownWriteToast({ write: update, title: 'Mine' }, change(update, 'conflict', true))).toBeUndefined();
    expect(
      ownWriteToast({ write: update, title: 'Mine' }, change(update, 'failed', true, refused)),
    ).toBeUndefined();
    expect(ownWriteToast({ write: join }, change(join, 'failed', true, refused))).toBeUndefined();
    expect(ownWriteToast({ write: remove, title: 'Mine' }, change(remove, 'pending', true))).toBeUndefined();
  });

  it('leaves conflicts to the one conflict toast', () => {
    const conflict = change(update, 'conflict', false, { theirs: song('Theirs') });
    expect(ownWriteToast({ write: update, title: 'Mine' }, conflict)).toBeUndefined();
  });

  it('says a delete at once with Undo for a while, and nothing more when it lands', () => {
    const undone: string[] = [];
    const toast = toasts.songDeleted('s1', 'Mine', () => undone.push('s1'));
    expect(text(toast)).toBe('Deleted “Mine”');
    expect(toast.lifetimeMs).toBe(UNDO_WINDOW_MS);
    toast.actions?.find((action) => action.label === 'Undo')?.run();
    expect(undone).toEqual(['s1']);
    expect(
      ownWriteToast({ write: remove, title: 'Mine' }, change(remove, 'confirmed', true)),
    ).toBeUndefined();
  });

  it('says "Restored" when an undo lands, and when Restore after their delete lands', () => {
    expect(text(ownWriteToast({ write: restore, title: 'Mine' }, change(restore, 'confirmed', true)))).toBe(
      'Restored “Mine”',
    );
    // Restore after a delete conflict is my edit re-applied with deleted_at back to null.
    const kept: SongWrite = { ...update, fields: { title: 'Mine', deleted_at: null } };
    expect(text(ownWriteToast({ write: update, title: 'Mine' }, change(kept, 'confirmed', true)))).toBe(
      'Restored “Mine”',
    );
  });

  it('stays quiet while a write waits or is being sent', () => {
    for (const status of ['pending', 'sending'] as const) {
      expect(ownWriteToast({ write: insert, title: 'Mine' }, change(insert, status, false))).toBeUndefined();
    }
  });

  it('says a band was created or joined once the server has it, and why not when refused', () => {
    expect(text(ownWriteToast({ write: create }, change(create, 'confirmed', true, { band })))).toBe(
      'Created The Band',
    );
    expect(text(ownWriteToast({ write: join }, change(join, 'confirmed', true, { band })))).toBe(
      'Joined The Band',
    );
    expect(ownWriteToast({ write: create }, change(create, 'sending', false, { band }))).toBeUndefined();
    const refused = ownWriteToast({ write: join }, change(join, 'failed', false));
    expect(text(refused)).toBe('Could not join the band: refused');
    expect(refused?.persistent).toBeUndefined();
  });
});

describe('the conflict toast', () => {
  const conflict = (id: string, theirs: Song | null, title = 'Mine'): OwnConflict => ({
    entry: change(update, 'conflict', false, { id, theirs }).entry,
    title,
    who: 'bob',
  });

  it('names who changed the song and offers Refresh and Keep mine, answering for the entry', () => {
    const choices: string[] = [];
    const toast = conflictToast([conflict('e1', song('Theirs'))], (id, choice) =>
      choices.push(`${id} ${choice}`),
    );
    expect(text(toast)).toBe('Bob changed “Mine” (now: “Theirs”). Your change was not applied.');
    expect(toast?.persistent).toBe(true);
    expect(toast?.actions?.map((action) => action.label)).toEqual(['Refresh', 'Keep mine']);
    toast?.actions?.forEach((action) => action.run());
    expect(choices).toEqual(['e1 refresh', 'e1 keep-mine']);
  });

  it('says the other member deleted the song and offers Discard and Restore', () => {
    const choices: string[] = [];
    const toast = conflictToast([conflict('e1', song('Theirs', true))], (_id, choice) =>
      choices.push(choice),
    );
    expect(text(toast)).toBe('Bob deleted “Theirs”. Your change was not applied.');
    expect(toast?.actions?.map((action) => action.label)).toEqual(['Discard', 'Restore']);
    toast?.actions?.forEach((action) => action.run());
    expect(choices).toEqual(['refresh', 'keep-mine']);
  });

  it('offers only Discard when the song is gone for good', () => {
    const toast = conflictToast([conflict('e1', null)], noResolve);
    expect(text(toast)).toBe('Bob deleted “Mine”. Your change was not applied.');
    expect(toast?.actions?.map((action) => action.label)).toEqual(['Discard']);
  });

  it('is one toast for several conflicts, pointing to the rows, and none once all are resolved', () => {
    const toast = conflictToast([conflict('e1', song('A')), conflict('e2', song('B'))], noResolve);
    expect(text(toast)).toBe(
      '2 of your changes were not applied: other members changed those songs first. Choose on each row.',
    );
    expect(toast?.actions).toBeUndefined();
    expect(conflictToast([], noResolve)).toBeUndefined();
  });
});

describe('toast for a change while editing', () => {
  const edit = (actor: string | null, record: Song | null = song('Theirs')): RowChange<Song> => ({
    bandId: 'b',
    seq: 3,
    op: 'UPDATE',
    record,
    oldRecord: null,
    actor,
  });
  const nameOf = (userId: string | null): string => (userId === 'other' ? 'bob' : 'someone');

  it('says who changed the song being edited, without claiming a change of mine was lost', () => {
    expect(text(editConflictToast(edit('other'), song('Mine'), 'me', nameOf, noResolve))).toBe(
      'Bob changed “Mine” while you were editing it (now: “Theirs”).',
    );
    expect(
      text(editConflictToast(edit('other', song('Theirs', true)), song('Mine'), 'me', nameOf, noResolve)),
    ).toBe('Bob deleted “Mine” while you were editing it.');
  });

  it('stays quiet for my own changes, other songs, and when nothing is being edited', () => {
    expect(editConflictToast(edit('me'), song('Mine'), 'me', nameOf, noResolve)).toBeUndefined();
    expect(
      editConflictToast(edit('other', { ...song('Other'), id: 's2' }), song('Mine'), 'me', nameOf, noResolve),
    ).toBeUndefined();
    expect(editConflictToast(edit('other'), undefined, 'me', nameOf, noResolve)).toBeUndefined();
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
