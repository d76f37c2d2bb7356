import { describe, expect, it } from 'vitest';
import { BATCH_WINDOW_MS, TOAST_LIFETIME_MS, ToastQueue, toasts } from '../../src/ui/state/toast-policy.js';

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
    queue.push(toasts.songDeleted('Two'), 10);
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

  it('replaces "connection lost" with "restored" under one key', () => {
    const queue = new ToastQueue();
    queue.push(toasts.connectionLost(), 0);
    queue.dismissKey('connection');
    queue.push(toasts.connectionRestored(), 10_000);
    expect(queue.visible.map((t) => t.tone)).toEqual(['success']);
  });
});
