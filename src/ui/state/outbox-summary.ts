// What the app says about the outbox as a whole: how many changes wait to sync, why they wait,
// and whether that is worth saying. Pure, so the wording and the quiet rule are tested without a
// browser.
import type { OutboxEntry } from '../../client/index.js';

const isOpen = (entry: OutboxEntry): boolean => entry.status === 'pending' || entry.status === 'sending';

/**
 * The pending count, or undefined when it should not be shown: online writes confirm within a
 * moment, so the count appears only when something is actually held up (no connection, or a
 * write that has already been tried and is waiting to retry).
 */
export function waitingToSync(entries: Iterable<OutboxEntry>, connected: boolean): string | undefined {
  const open = [...entries].filter(isOpen);
  if (open.length === 0) return undefined;
  if (connected && !open.some((entry) => entry.attempts > 0)) return undefined;
  return open.length === 1 ? '1 change waiting to sync' : `${open.length} changes waiting to sync`;
}

/** Why writes wait, most telling first. */
export type HoldUp = 'signed-out' | 'offline' | 'server-unreachable' | 'conflict' | 'retrying';

export const HOLD_UP_WORDS: Record<HoldUp, string> = {
  'signed-out': 'Signed out: kept on this device until you sign in again',
  offline: 'This device is offline',
  'server-unreachable': 'Server unreachable',
  conflict: 'A conflict needs your choice first',
  retrying: 'Retrying',
};

/** What the browser and the page know that the outbox does not. */
export interface SyncContext {
  signedIn: boolean;
  /** The browser says it is offline (connection state `offline`). */
  offline: boolean;
}

/**
 * Why the open writes wait, or undefined when none does. The last send of a write that is to be
 * retried failed on the network, a 5xx or a token (replay.ts: `retrying`): the server is the one
 * not answering, whether or not the socket is up.
 */
export function holdUp(entries: Iterable<OutboxEntry>, context: SyncContext): HoldUp | undefined {
  const all = [...entries];
  const open = all.filter(isOpen);
  if (open.length === 0) return undefined;
  if (!context.signedIn) return 'signed-out';
  if (context.offline) return 'offline';
  if (serverUnreachable(open)) return 'server-unreachable';
  // A conflict holds back later writes to its record until the user chooses.
  const conflicted = new Set(all.filter((e) => e.status === 'conflict').map((e) => e.record));
  if (open.some((entry) => conflicted.has(entry.record))) return 'conflict';
  return open.some((entry) => entry.attempts > 0) ? 'retrying' : undefined;
}

/** The server has not taken writes it was sent: REST is down, whatever the socket says. */
export const serverUnreachable = (entries: Iterable<OutboxEntry>): boolean =>
  [...entries].some((entry) => isOpen(entry) && entry.error?.code === 'retrying');
