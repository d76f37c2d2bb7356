// The in-memory Web Locks the Node tests stand on behave as the browser's do, for what we use.
import { describe, expect, it } from 'vitest';
import { MemoryLocks } from './memory-locks.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('in-memory Web Locks', () => {
  it('grants an exclusive lock to one request at a time, in request order', async () => {
    const locks = new MemoryLocks();
    const first = deferred();
    const order: string[] = [];
    const a = locks.request('l', {}, () => (order.push('a'), first.promise));
    const b = locks.request('l', {}, () => void order.push('b'));
    await settled();
    expect(order).toEqual(['a']);
    expect(locks.query()).toEqual({
      held: [{ name: 'l', mode: 'exclusive' }],
      pending: [{ name: 'l', mode: 'exclusive' }],
    });
    first.resolve();
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(locks.query()).toEqual({ held: [], pending: [] });
  });

  it('shares a shared lock, and holds an exclusive one back until the sharers let go', async () => {
    const locks = new MemoryLocks();
    const held = deferred();
    const order: string[] = [];
    const s1 = locks.request('l', { mode: 'shared' }, () => (order.push('s1'), held.promise));
    const s2 = locks.request('l', { mode: 'shared' }, () => (order.push('s2'), held.promise));
    const x = locks.request('l', {}, () => void order.push('x'));
    await settled();
    expect(order).toEqual(['s1', 's2']);
    held.resolve();
    await Promise.all([s1, s2, x]);
    expect(order).toEqual(['s1', 's2', 'x']);
  });

  it('drops a waiting request whose signal aborts, and rejects it with the abort', async () => {
    const locks = new MemoryLocks();
    const held = deferred();
    const holder = locks.request('l', {}, () => held.promise);
    const abort = new AbortController();
    let granted = false;
    const waiting = locks.request('l', { signal: abort.signal }, () => void (granted = true));
    abort.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    held.resolve();
    await holder;
    await settled();
    expect(granted).toBe(false);
    await expect(locks.request('l', { signal: abort.signal }, () => 1)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('releases a lock when its callback throws, and passes the error on', async () => {
    const locks = new MemoryLocks();
    await expect(
      locks.request('l', {}, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await locks.request('l', {}, () => 'next')).toBe('next');
  });
});
