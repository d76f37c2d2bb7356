// Which toasts the app shows. Toast: your own actions, connection lost and
// restored, retries exhausted (stays, with Retry), conflicts (with Refresh). Never: other people's
// changes, background syncs, health checks. Pure: time comes in as `now`, and the choices below
// take the change and return the toast; components only show it.
import {
  assertNever,
  isSongWrite,
  type BandWrite,
  type ConflictChoice,
  type ConnectionState,
  type OutboxChange,
  type OutboxEntry,
  type RowChange,
  type Song,
  type SongWrite,
  type Write,
} from '../../client/index.js';
import type { ToastRequest } from './toast-queue.js';

const plural = (count: number, one: string, many: string): string => (count === 1 ? one : `${count} ${many}`);
/** Every toast quotes a song's title the same way. */
const quoted = (title: string): string => `“${title}”`;
const capitalised = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** The one toast every open conflict of a page shares. */
export const CONFLICT_TOAST_KEY = 'conflict';
/** The toast about the song being edited: it goes when editing ends. */
export const EDITING_TOAST_KEY = 'editing';

/** How long "Deleted …" offers Undo. */
export const UNDO_WINDOW_MS = 6000;

/** The toasts of the policy, by name, so components never word them ad hoc. */
export const toasts = {
  songAdded: (title: string): ToastRequest => ({
    key: 'song-added',
    tone: 'success',
    message: (n) => (n === 1 ? `Added ${quoted(title)}` : `Added ${n} songs`),
  }),
  songSaved: (title: string): ToastRequest => ({
    key: 'song-saved',
    tone: 'success',
    message: (n) => (n === 1 ? `Saved ${quoted(title)}` : `Saved ${n} songs`),
  }),
  /** Said at once, with Undo for a while: each song its own toast, so Undo is never ambiguous. */
  songDeleted: (songId: string, title: string, undo: () => void): ToastRequest => ({
    key: `song-deleted:${songId}`,
    tone: 'success',
    message: () => `Deleted ${quoted(title)}`,
    lifetimeMs: UNDO_WINDOW_MS,
    actions: [{ label: 'Undo', run: undo }],
  }),
  songRestored: (title: string): ToastRequest => ({
    key: 'song-restored',
    tone: 'success',
    message: (n) => (n === 1 ? `Restored ${quoted(title)}` : `Restored ${n} songs`),
  }),
  bandCreated: (name: string): ToastRequest => ({
    key: 'band-created',
    tone: 'success',
    message: () => `Created ${name}`,
  }),
  bandJoined: (name: string): ToastRequest => ({
    key: 'band-joined',
    tone: 'success',
    message: () => `Joined ${name}`,
  }),
  failed: (what: string, reason: string): ToastRequest => ({
    key: `failed:${what}`,
    tone: 'error',
    message: (n) => `${plural(n, `Could not ${what}`, `attempts to ${what} failed`)}: ${reason}`,
  }),
  connectionLost: (): ToastRequest => ({
    key: 'connection',
    tone: 'warning',
    message: () => 'Connection lost. Reconnecting; your view may be out of date.',
  }),
  connectionRestored: (): ToastRequest => ({
    key: 'connection',
    tone: 'success',
    message: () => 'Connection restored. Everything is up to date.',
  }),
  retriesExhausted: (retry: () => void): ToastRequest => ({
    key: 'retries-exhausted',
    tone: 'error',
    message: () => 'Cannot reach the server. Live updates are paused.',
    persistent: true,
    actions: [{ label: 'Retry', run: retry }],
  }),
  /**
   * One of my changes was not applied: `who` changed the song first, or deleted it (then Restore
   * re-applies mine on their row, Discard drops mine). `keepMine` only when mine can be re-applied.
   */
  conflict: (
    who: string,
    title: string,
    theirs: Song | null,
    refresh: () => void,
    keepMine?: () => void,
  ): ToastRequest => {
    const deleted = theirs === null || theirs.deleted_at !== null;
    const what = deleted
      ? `${capitalised(who)} deleted ${quoted(theirs?.title ?? title)}`
      : `${capitalised(who)} changed ${quoted(title)} (now: ${quoted(theirs.title)})`;
    return {
      key: CONFLICT_TOAST_KEY,
      tone: 'warning',
      message: () => `${what}. Your change was not applied.`,
      persistent: true,
      actions: [
        { label: deleted ? 'Discard' : 'Refresh', run: refresh },
        ...(keepMine ? [{ label: deleted ? 'Restore' : 'Keep mine', run: keepMine }] : []),
      ],
    };
  },
  /** Several conflicts at once: one toast that stays, the choices on the rows. */
  conflicts: (count: number): ToastRequest => ({
    key: CONFLICT_TOAST_KEY,
    tone: 'warning',
    message: () =>
      `${count} of your changes were not applied: other members changed those songs first. Choose on each row.`,
    persistent: true,
  }),
  /** Another member changed the song being edited; nothing of mine is lost yet. */
  editedMeanwhile: (who: string, title: string, theirs: Song, refresh: () => void): ToastRequest => ({
    key: EDITING_TOAST_KEY,
    tone: 'warning',
    message: () =>
      theirs.deleted_at !== null
        ? `${capitalised(who)} deleted ${quoted(title)} while you were editing it.`
        : `${capitalised(who)} changed ${quoted(title)} while you were editing it (now: ${quoted(theirs.title)}).`,
    persistent: true,
    actions: [{ label: 'Load their version', run: refresh }],
  }),
  queuedOffline: (): ToastRequest => ({
    key: 'queued-offline',
    tone: 'info',
    message: (n) =>
      n === 1
        ? 'Saved on this device; it will sync when you are back online.'
        : `${n} changes saved on this device; they will sync when you are back online.`,
  }),
};

/** One of this tab's writes, as its toasts speak of it: a song write names its song. */
export type OwnWrite = { write: SongWrite; title: string } | { write: BandWrite };

const SONG_VERBS = {
  'song.insert': 'add',
  'song.update': 'save',
  'song.delete': 'delete',
  'song.restore': 'restore',
} as const;
/** What a song write says once it lands; a delete said so at once, with Undo (songDeleted). */
const SONG_LANDED: Record<SongWrite['kind'], ((title: string) => ToastRequest) | undefined> = {
  'song.insert': toasts.songAdded,
  'song.update': toasts.songSaved,
  'song.delete': undefined,
  'song.restore': toasts.songRestored,
};
const BAND_ACTIONS = { 'band.create': 'create the band', 'band.join': 'join the band' } as const;

/** Whether a write brings a deleted song back: Undo, or Restore after a delete conflict (keep mine). */
const restores = (write: Write): boolean =>
  write.kind === 'song.restore' || (write.kind === 'song.update' && write.fields.deleted_at === null);

/** A write that could not be queued at all: the boundary refused it, or the device could not store it. */
export function notQueuedToast(write: Write, reason: string): ToastRequest {
  return toasts.failed(
    isSongWrite(write) ? `${SONG_VERBS[write.kind]} the song` : BAND_ACTIONS[write.kind],
    reason,
  );
}

/** A write queued while the socket is not connected: it waits on this device. */
export function queuedToast(connection: ConnectionState): ToastRequest | undefined {
  return connection.kind === 'connected' ? undefined : toasts.queuedOffline();
}

/**
 * The toast, if any, for a change to one of this tab's own writes: it landed, or the server
 * refused it. Conflicts speak through conflictToast, all of them at once. An entry that left the
 * outbox unconfirmed was the user's choice (Refresh, Dismiss) or an unsent write undone: nothing to say.
 */
export function ownWriteToast(own: OwnWrite, { entry, removed }: OutboxChange): ToastRequest | undefined {
  if (removed && entry.status !== 'confirmed') return undefined;
  if (!('title' in own)) {
    if (entry.status === 'failed')
      return toasts.failed(BAND_ACTIONS[own.write.kind], entry.error?.message ?? 'refused');
    if (!removed || !entry.band) return undefined;
    return own.write.kind === 'band.create'
      ? toasts.bandCreated(entry.band.name)
      : toasts.bandJoined(entry.band.name);
  }
  const { write, title } = own;
  switch (entry.status) {
    case 'confirmed':
      return restores(entry.write) ? toasts.songRestored(title) : SONG_LANDED[write.kind]?.(title);
    case 'failed':
      // The server refused it: the user must see that, so this one stays until dismissed.
      return entry.error
        ? {
            ...toasts.failed(`${SONG_VERBS[write.kind]} ${quoted(title)}`, entry.error.message),
            persistent: true,
          }
        : undefined;
    case 'conflict':
    case 'pending':
    case 'sending':
      return undefined;
    default:
      return assertNever(entry.status);
  }
}

/** One of this page's writes in conflict: its song's title as I wrote it, and who got there first. */
export interface OwnConflict {
  entry: OutboxEntry;
  title: string;
  who: string;
}

/**
 * The one conflict toast for all of this page's open conflicts: the choices for a single one,
 * a count for several (their choices are on the rows), none once all are resolved, wherever.
 */
export function conflictToast(
  conflicts: readonly OwnConflict[],
  resolve: (entryId: string, choice: Exclude<ConflictChoice, 'dismiss'>) => void,
): ToastRequest | undefined {
  const [only, ...more] = conflicts;
  if (!only) return undefined;
  if (more.length > 0) return toasts.conflicts(conflicts.length);
  const { entry, title, who } = only;
  const theirs = entry.theirs ?? null;
  const keepMine = theirs ? () => resolve(entry.id, 'keep-mine') : undefined;
  return toasts.conflict(who, title, theirs, () => resolve(entry.id, 'refresh'), keepMine);
}

/**
 * Another member's change to the song being edited: the editor's copy is stale, so say so (with
 * a way to load theirs). Nothing for other songs, or for this user's own changes.
 */
export function editConflictToast(
  change: RowChange<Song>,
  editing: Song | undefined,
  me: string | undefined,
  nameOf: (userId: string | null) => string,
  refresh: () => void,
): ToastRequest | undefined {
  if (!editing || change.record?.id !== editing.id || change.actor === me) return undefined;
  return toasts.editedMeanwhile(nameOf(change.actor), editing.title, change.record, refresh);
}

/** What one connection state does to the toasts. */
export interface ConnectionToasts {
  /** Whether the user has been told the connection is lost (and not yet that it is back). */
  lost: boolean;
  /** Keys of toasts that no longer hold, dismissed before `show` appears. */
  dismiss: readonly string[];
  show: ToastRequest | undefined;
}

/**
 * Lost once when it goes down, restored once when it is back; `lost` is what the user was told.
 * Each replaces the other: a "restored" toast lives 5 s, longer than the queue's 2-s merge window,
 * so a socket lost again within its life would otherwise show "lost" beside "restored".
 */
export function connectionToasts(state: ConnectionState, lost: boolean): ConnectionToasts {
  const unchanged: ConnectionToasts = { lost, dismiss: [], show: undefined };
  switch (state.kind) {
    case 'reconnecting':
    case 'offline':
    case 'error':
      return lost ? unchanged : { lost: true, dismiss: ['connection'], show: toasts.connectionLost() };
    case 'connected':
      return lost
        ? { lost: false, dismiss: ['retries-exhausted', 'connection'], show: toasts.connectionRestored() }
        : unchanged;
    case 'disconnected':
      // Signed out: nothing was lost that needs a "restored" later.
      return { lost: false, dismiss: [], show: undefined };
    case 'connecting':
      return unchanged;
    default:
      return assertNever(state);
  }
}
