import { describe, expect, it } from 'vitest';
import { InterestRegistry } from '../../../worker/core/interest-registry.js';

describe('interest registry', () => {
  it('subscribes a band once however many tabs watch it', () => {
    const registry = new InterestRegistry(5000);
    expect(registry.watch('tab-1', 'band-a')).toBe(true);
    expect(registry.watch('tab-2', 'band-a')).toBe(false);
    expect(registry.watch('tab-2', 'band-a')).toBe(false);
    expect(registry.watchers('band-a')).toBe(2);
    expect(registry.isHeld('band-a')).toBe(true);
  });

  it('keeps a band until the last tab watching it lets go, then for a grace period', () => {
    const registry = new InterestRegistry(5000);
    registry.watch('tab-1', 'band-a');
    registry.watch('tab-2', 'band-a');
    registry.unwatch('tab-1', 'band-a', 0);
    expect(registry.isHeld('band-a')).toBe(true);
    registry.unwatch('tab-2', 'band-a', 1000);
    expect(registry.expired(5999)).toEqual([]);
    expect(registry.nextExpiry()).toBe(6000);
    expect(registry.expired(6000)).toEqual(['band-a']);
    expect(registry.isHeld('band-a')).toBe(false);
  });

  it('releases the bands of a tab that closes without unwatching', () => {
    const registry = new InterestRegistry(100);
    registry.watch('tab-1', 'band-a');
    registry.watch('tab-1', 'band-b');
    registry.watch('tab-2', 'band-b');
    registry.releaseTab('tab-1', 0);
    expect(registry.expired(100)).toEqual(['band-a']);
    expect(registry.watchers('band-b')).toBe(1);
    expect(registry.tabs()).toEqual(new Map([['tab-2', ['band-b']]]));
  });

  it('keeps a band watched again during its grace period, without a new subscription', () => {
    const registry = new InterestRegistry(100);
    registry.watch('tab-1', 'band-a');
    registry.releaseTab('tab-1', 0);
    expect(registry.watch('tab-2', 'band-a')).toBe(false);
    expect(registry.expired(1000)).toEqual([]);
  });

  it('holds a newly joined band for one grace period with no tab watching', () => {
    const registry = new InterestRegistry(100);
    expect(registry.keepForGrace('band-new', 0)).toBe(true);
    expect(registry.isHeld('band-new')).toBe(true);
    expect(registry.watch('tab-1', 'band-new')).toBe(false);
    expect(registry.expired(500)).toEqual([]);
  });

  it('forgets a band the user left, for every tab', () => {
    const registry = new InterestRegistry(100);
    registry.watch('tab-1', 'band-a');
    registry.watch('tab-2', 'band-a');
    expect(registry.forget('band-a').sort()).toEqual(['tab-1', 'tab-2']);
    expect(registry.isHeld('band-a')).toBe(false);
    expect(registry.tabs().size).toBe(0);
  });
});
