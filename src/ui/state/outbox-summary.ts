// What the app says about the outbox as a whole: how many changes wait to sync, and whether that
// is worth saying. Pure, so the wording and the quiet rule are tested without a browser.
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
