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
  type RowChange,
  type Song,
  type SongWrite,
  type Write,
} from '../../client/index.js';
import type { ToastRequest } from './toast-queue.js';

const plural = (count: number, one: string, many: string): string => (count === 1 ? one : `${count} ${many}`);

/** The toasts of the policy, by name, so components never word them ad hoc. */
export const toasts = {
  songAdded: (title: string): ToastRequest => ({
    key: 'song-added',
    tone: 'success',
    message: (n) => (n === 1 ? `Added “${title}”` : `Added ${n} songs`),
  }),
  songSaved: (title: string): ToastRequest => ({
    key: 'song-saved',
    tone: 'success',
    message: (n) => (n === 1 ? `Saved “${title}”` : `Saved ${n} songs`),
  }),
  songDeleted: (title: string): ToastRequest => ({
    key: 'song-deleted',
    tone: 'success',
    message: (n) => (n === 1 ? `Deleted “${title}”` : `Deleted ${n} songs`),
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
  /** Another member changed the song first. `keepMine` is offered when mine can be re-applied. */
  conflict: (title: string, theirs: string, refresh: () => void, keepMine?: () => void): ToastRequest => ({
    key: `conflict:${title}`,
    tone: 'warning',
    message: () =>
      `Someone else changed “${title}”${theirs ? ` (now: ${theirs})` : ''}. Your change was not applied.`,
    persistent: true,
    actions: [
      { label: 'Refresh', run: refresh },
      ...(keepMine ? [{ label: 'Keep mine', run: keepMine }] : []),
    ],
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

const SONG_VERBS = { 'song.insert': 'add', 'song.update': 'save', 'song.delete': 'delete' } as const;
const SONG_LANDED = {
  'song.insert': toasts.songAdded,
  'song.update': toasts.songSaved,
  'song.delete': toasts.songDeleted,
} as const;
const BAND_ACTIONS = { 'band.create': 'create the band', 'band.join': 'join the band' } as const;

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
 * The toast, if any, for a change to one of this tab's own writes: it landed, the server refused
 * it, or (a song) someone else changed the song first; `resolve` answers the conflict.
 */
export function ownWriteToast(
  own: OwnWrite,
  { entry, removed }: OutboxChange,
  resolve: (choice: Exclude<ConflictChoice, 'dismiss'>) => void,
): ToastRequest | undefined {
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
      return SONG_LANDED[write.kind](title);
    case 'failed':
      // The server refused it: the user must see that, so this one stays until dismissed.
      return entry.error
        ? { ...toasts.failed(`${SONG_VERBS[write.kind]} “${title}”`, entry.error.message), persistent: true }
        : undefined;
    case 'conflict': {
      const theirs = entry.theirs && !entry.theirs.deleted_at ? `“${entry.theirs.title}”` : 'deleted';
      const keepMine = entry.theirs ? () => resolve('keep-mine') : undefined;
      return toasts.conflict(title, theirs, () => resolve('refresh'), keepMine);
    }
    case 'pending':
    case 'sending':
      return undefined;
    default:
      return assertNever(entry.status);
  }
}

/**
 * Another member's change to the song being edited: the editor's copy is stale, so say so (with
 * Refresh). Nothing for other songs, or for this user's own changes.
 */
export function editConflictToast(
  change: RowChange<Song>,
  editing: Song | undefined,
  me: string | undefined,
  refresh: () => void,
): ToastRequest | undefined {
  if (!editing || change.record?.id !== editing.id || change.actor === me) return undefined;
  return toasts.conflict(editing.title, change.record.title, refresh);
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
