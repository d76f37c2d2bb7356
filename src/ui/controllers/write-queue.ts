// A page's own writes: queued in the outbox, remembered as this page's, and followed to the end
// with the toasts the policy gives them. Writes from other tabs, or from before the page opened,
// show in the outbox view without toasts.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { OutboxChange, OutboxEntry } from '../../client/index.js';
import type { Services } from '../services.js';
import { notQueuedToast, ownWriteToast, queuedToast, type OwnWrite } from '../state/toast-policy.js';

/** Whether this change is the last the page follows of its write. */
function isFinal(own: OwnWrite, { entry, removed }: OutboxChange): boolean {
  // A song write stays the page's until it leaves the outbox: a conflict may yet be kept and land.
  if ('title' in own) return removed;
  return entry.status === 'failed' || (removed && entry.band !== undefined);
}

export class WriteQueue implements ReactiveController {
  /** Writes queued from this page, by entry id: only these get toasts here. */
  private readonly mine = new Map<string, OwnWrite>();
  private stop: (() => void) | undefined;

  /** `landed` hears each of the page's writes the server has confirmed. */
  constructor(
    private readonly host: ReactiveControllerHost & { readonly services: Services },
    private readonly landed: (entry: OutboxEntry) => void = () => undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.stop = this.host.services.outbox.onChange((change) => this.followed(change));
  }

  hostDisconnected(): void {
    this.stop?.();
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
    const { backline, toasts } = this.host.services;
    if (isFinal(own, change)) this.mine.delete(entry.id);
    const toast = ownWriteToast(own, change, (choice) => void backline.resolveWrite(entry.id, choice));
    if (toast) toasts.show(toast);
    if (removed && entry.status === 'confirmed') this.landed(entry);
  }
}
