// A page's own writes: queued in the outbox, remembered as this page's, and followed to the end
// with the toasts the policy gives them. Writes from other tabs, or from before the page opened,
// show in the outbox view without toasts.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { OutboxChange, OutboxEntry } from '../../client/index.js';
import type { Services } from '../services.js';
import {
  CONFLICT_TOAST_KEY,
  conflictToast,
  notQueuedToast,
  ownWriteToast,
  queuedToast,
  type OwnConflict,
  type OwnWrite,
} from '../state/toast-policy.js';

/** Whether this change is the last the page follows of its write. */
function isFinal(own: OwnWrite, { entry, removed }: OutboxChange): boolean {
  // A song write stays the page's until it leaves the outbox: a conflict may yet be kept and land.
  if ('title' in own) return removed;
  return entry.status === 'failed' || (removed && entry.band !== undefined);
}

export interface WriteQueueOptions {
  /** Hears each of the page's writes the server has confirmed. */
  landed?: (entry: OutboxEntry) => void;
  /** Who a user is, for saying who changed a song first. */
  nameOf?: (userId: string | null) => string;
  /** Whether the page itself says that the server refused this write (in its form). */
  saysRefusal?: (entry: OutboxEntry) => boolean;
}

export class WriteQueue implements ReactiveController {
  /** Writes queued from this page, by entry id: only these get toasts here. */
  private readonly mine = new Map<string, OwnWrite>();
  /** The page's writes now in conflict, by entry id: one toast speaks for them all. */
  private readonly conflicts = new Map<string, OwnConflict>();
  private stop: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & { readonly services: Services },
    private readonly options: WriteQueueOptions = {},
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.stop = this.host.services.outbox.onChange((change) => this.followed(change));
  }

  hostDisconnected(): void {
    this.stop?.();
    // The page is gone, and with it the rows a conflict toast points to.
    if (this.conflicts.size > 0) this.host.services.toasts.dismissKey(CONFLICT_TOAST_KEY);
  }

  /**
   * Queues a write: it shows at once (marked pending) and lands when the network allows. False,
   * with a toast saying why, when it could not be queued.
   */
  async queue(own: OwnWrite): Promise<boolean> {
    const { backline, outbox, toasts } = this.host.services;
    // Known as this page's before the call: the outbox's events about it may beat the answer.
    const id = crypto.randomUUID();
    this.mine.set(id, own);
    try {
      const entry = await backline.write(own.write, id);
      if (entry.id !== id || entry.status === 'confirmed') {
        // Folded into an earlier unsent write, which now carries this change, or cancelled one out
        // (an unsent insert deleted): no event will come under this id.
        this.mine.delete(id);
        if (entry.status !== 'confirmed') this.mine.set(entry.id, own);
      }
      outbox.learned([entry]);
      const offline = queuedToast(backline.state);
      if (offline) toasts.show(offline);
      return true;
    } catch (error) {
      this.mine.delete(id);
      toasts.show(notQueuedToast(own.write, error instanceof Error ? error.message : String(error)));
      return false;
    }
  }

  private followed(change: OutboxChange): void {
    const { entry, removed } = change;
    const own = this.mine.get(entry.id);
    if (!own) return;
    const { toasts } = this.host.services;
    if (isFinal(own, change)) this.mine.delete(entry.id);
    // The page says a refusal itself (in its form): no toast repeats it.
    if (entry.status === 'failed' && this.options.saysRefusal?.(entry)) return;
    if ('title' in own) this.conflictChanged(entry, removed ? undefined : own.title);
    const toast = ownWriteToast(own, change);
    if (toast) toasts.show(toast);
    if (removed && entry.status === 'confirmed') this.options.landed?.(entry);
  }

  /** Keeps the conflict toast true to the page's open conflicts, however each was resolved. */
  private conflictChanged(entry: OutboxEntry, title: string | undefined): void {
    const was = this.conflicts.has(entry.id);
    const is = title !== undefined && entry.status === 'conflict';
    if (is) {
      const who = this.options.nameOf?.(entry.theirs?.updated_by ?? null) ?? 'another member';
      this.conflicts.set(entry.id, { entry, title, who });
    } else this.conflicts.delete(entry.id);
    if (!was && !is) return;
    const { backline, toasts } = this.host.services;
    toasts.dismissKey(CONFLICT_TOAST_KEY);
    const toast = conflictToast(
      [...this.conflicts.values()],
      (id, choice) => void backline.resolveWrite(id, choice),
    );
    if (toast) toasts.show(toast);
  }
}
