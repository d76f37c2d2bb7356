import { describe, expect, it } from 'vitest';
import type { BacklineEvents, ConnectionState, OutboxChange, OutboxEntry } from '../../src/client/index.js';
import { OutboxView, type OutboxSource } from '../../src/ui/outbox-view.js';
import { outboxEntry as entry } from './fixtures.js';

const connected: ConnectionState = {
  kind: 'connected',
  since: 0,
  attempt: 0,
  nextRetryAt: null,
  lastError: null,
};

interface Read {
  promise: Promise<OutboxEntry[]>;
  resolve: (entries: OutboxEntry[]) => void;
  reject: (error: Error) => void;
}

/** The client as the view sees it: reads answer when the test says, events come when it emits. */
class FakeClient implements OutboxSource {
  readonly reads: Read[] = [];
  private readonly handlers = new Map<keyof BacklineEvents, Set<(payload: never) => void>>();

  outbox(): Promise<OutboxEntry[]> {
    let settle!: Pick<Read, 'resolve' | 'reject'>;
    const promise = new Promise<OutboxEntry[]>((resolve, reject) => (settle = { resolve, reject }));
    this.reads.push({ promise, ...settle });
    return promise;
  }

  on<K extends keyof BacklineEvents>(type: K, handler: (payload: BacklineEvents[K]) => void): () => void {
    const set = this.handlers.get(type) ?? new Set();
    this.handlers.set(type, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  listenerCount(type: keyof BacklineEvents): number {
    return this.handlers.get(type)?.size ?? 0;
  }

  emit<K extends keyof BacklineEvents>(type: K, payload: BacklineEvents[K]): void {
    for (const handler of this.handlers.get(type) ?? []) (handler as (p: BacklineEvents[K]) => void)(payload);
  }

  changed(outboxEntry: OutboxEntry, removed = false): void {
    this.emit('outbox:changed', { entry: outboxEntry, removed });
  }
}

/** Answers a read and lets the view take the answer (its handler was attached first). */
async function answer(read: Read | undefined, entries: OutboxEntry[]): Promise<void> {
  read?.resolve(entries);
  await read?.promise;
}

const statuses = (view: OutboxView): string[] => view.values().map((e) => `${e.id}:${e.status}`);

describe('outbox view', () => {
  it('reads the outbox once and hears each event once, however many components subscribe', async () => {
    const client = new FakeClient();
    const view = new OutboxView(client);
    const heard: OutboxChange[][] = [[], []];
    const updates = [0, 0];
    heard.forEach((changes, i) => {
      view.onChange((change) => changes.push(change));
      view.onUpdate(() => updates[i]!++);
    });
    view.signedIn('u');
    client.emit('realtime:state-changed', connected);
    client.emit('realtime:state-changed', connected);
    await answer(client.reads[0], [entry('a', 'pending')]);
    client.changed(entry('a', 'sending'));

    expect(client.reads).toHaveLength(1);
    expect(client.listenerCount('outbox:changed')).toBe(1);
    expect(heard.map((changes) => changes.map((c) => c.entry.status))).toEqual([['sending'], ['sending']]);
    expect(updates).toEqual([2, 2]);
    expect(statuses(view)).toEqual(['a:sending']);
  });

  it('does not bring back an entry an event removed before the read answered', async () => {
    const client = new FakeClient();
    const view = new OutboxView(client);
    view.signedIn('u');
    client.changed(entry('a', 'sending'));
    client.changed(entry('a', 'confirmed'), true);
    await answer(client.reads[0], [entry('a', 'pending'), entry('b', 'pending')]);
    expect(statuses(view)).toEqual(['b:pending']);
  });

  it('keeps events heard before the first sign-in was known over the read', async () => {
    const client = new FakeClient();
    const view = new OutboxView(client);
    client.changed(entry('a', 'confirmed'), true);
    view.signedIn('u');
    await answer(client.reads[0], [entry('a', 'pending')]);
    expect(statuses(view)).toEqual([]);
  });

  it('reads again at the next connection state once a read has failed', async () => {
    const client = new FakeClient();
    const view = new OutboxView(client);
    view.signedIn('u');
    client.reads[0]?.reject(new Error('no session yet'));
    await client.reads[0]?.promise.catch(() => undefined);
    client.emit('realtime:state-changed', connected);
    await answer(client.reads[1], [entry('a', 'pending')]);
    expect(client.reads).toHaveLength(2);
    expect(statuses(view)).toEqual(['a:pending']);
  });

  it('forgets the old user at sign-out and drops the answer to a read begun before it', async () => {
    const client = new FakeClient();
    const view = new OutboxView(client);
    view.signedIn('u');
    client.changed(entry('a', 'pending'));
    view.signedIn(undefined);
    await answer(client.reads[0], [entry('b', 'pending')]);
    expect(statuses(view)).toEqual([]);

    view.signedIn('v');
    await answer(client.reads[1], [entry('c', 'pending')]);
    expect(statuses(view)).toEqual(['c:pending']);
  });

  it('starts over when the session ends in another tab, and reads again once the broker reports a state', async () => {
    const client = new FakeClient();
    const view = new OutboxView(client);
    view.signedIn('u');
    await answer(client.reads[0], [entry('a', 'pending')]);
    client.emit('session:ended', { userId: 'u' });
    expect(statuses(view)).toEqual([]);
    client.emit('realtime:state-changed', connected);
    await answer(client.reads[1], [entry('b', 'pending')]);
    expect(statuses(view)).toEqual(['b:pending']);
  });

  it("takes a write's answer unless an event has spoken of the entry", () => {
    const client = new FakeClient();
    const view = new OutboxView(client);
    let updates = 0;
    view.onUpdate(() => updates++);
    client.changed(entry('a', 'confirmed'), true);
    view.learned([entry('a', 'pending'), entry('b', 'pending')]);
    expect(statuses(view)).toEqual(['b:pending']);
    expect(updates).toBe(2);
  });
});
