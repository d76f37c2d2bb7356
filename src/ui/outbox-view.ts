// This user's outbox as the page shows it: one view per page, made with the services. It reads
// the outbox once per signed-in user, hears each `outbox:changed` once, and keeps the entries by
// id under OutboxMirror's rules; components subscribe to it instead of keeping copies.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { BacklineEvents, OutboxChange, OutboxEntry } from '../client/index.js';
import { OutboxMirror } from './state/outbox-mirror.js';

type SourceEvent = 'outbox:changed' | 'realtime:state-changed' | 'session:ended';

/** What the view needs of the client: a BacklineClient, or a fake in tests. */
export interface OutboxSource {
  outbox(): Promise<OutboxEntry[]>;
  on<K extends SourceEvent>(type: K, handler: (payload: BacklineEvents[K]) => void): () => void;
}

export class OutboxView {
  private mirror = new OutboxMirror();
  private userId: string | undefined;
  /** The user whose outbox has been read, or is being read. */
  private readFor: string | undefined;
  /** Bumped whenever the view starts over: an answer to a read begun before is dropped. */
  private epoch = 0;
  private readonly changeListeners = new Set<(change: OutboxChange) => void>();
  private readonly updateListeners = new Set<() => void>();

  constructor(private readonly source: OutboxSource) {
    source.on('outbox:changed', (change) => {
      this.mirror.changed(change.entry, change.removed);
      this.changeListeners.forEach((listener) => listener(change));
      this.updated();
    });
    // The broker holds the user's session once it reports a state; a read that failed before
    // (no session yet, or signed out meanwhile) goes again then.
    source.on('realtime:state-changed', () => this.read());
    // Signed out in some tab: the broker dropped this user's session for the whole profile.
    source.on('session:ended', () => this.startOver());
  }

  /** The signed-in user, from the auth client: a new user's outbox is read afresh. */
  signedIn(userId: string | undefined): void {
    if (userId === this.userId) return;
    // Not at the first sign-in: events may have arrived already, and they outrank the read.
    if (this.userId !== undefined) this.startOver();
    this.userId = userId;
    this.read();
  }

  values(): OutboxEntry[] {
    return this.mirror.values();
  }

  get(id: string): OutboxEntry | undefined {
    return this.mirror.get(id);
  }

  /** Entries from a call's answer (a write's): taken where no event has spoken of them yet. */
  learned(entries: Iterable<OutboxEntry>): void {
    this.mirror.learned(entries);
    this.updated();
  }

  /** Each `outbox:changed` event, once the view has taken it in. */
  onChange(listener: (change: OutboxChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Whenever the entries may differ: an event, a read's answer, a write's answer, a sign-out. */
  onUpdate(listener: () => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  private read(): void {
    const userId = this.userId;
    if (userId === undefined || this.readFor === userId) return;
    this.readFor = userId;
    const epoch = this.epoch;
    void this.source.outbox().then(
      (entries) => {
        if (epoch !== this.epoch) return;
        this.mirror.learned(entries);
        this.updated();
      },
      () => {
        if (epoch === this.epoch) this.readFor = undefined;
      },
    );
  }

  private startOver(): void {
    this.epoch++;
    this.mirror = new OutboxMirror();
    this.readFor = undefined;
    this.updated();
  }

  private updated(): void {
    this.updateListeners.forEach((listener) => listener());
  }
}

/** Renders its host again whenever the page's outbox view changes, while the host is connected. */
export class OutboxUpdates implements ReactiveController {
  private stop: (() => void) | undefined;

  constructor(private readonly host: ReactiveControllerHost & { readonly services: { outbox: OutboxView } }) {
    host.addController(this);
  }

  hostConnected(): void {
    this.stop = this.host.services.outbox.onUpdate(() => this.host.requestUpdate());
  }

  hostDisconnected(): void {
    this.stop?.();
  }
}
