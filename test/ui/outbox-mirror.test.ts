import { describe, expect, it } from 'vitest';
import { OutboxMirror } from '../../src/ui/state/outbox-mirror.js';
import { outboxEntry as entry } from './fixtures.js';

const statuses = (mirror: OutboxMirror): string[] => mirror.values().map((e) => `${e.id}:${e.status}`);

describe('outbox mirror', () => {
  it('does not bring back an entry confirmed before the answer that listed it arrived', () => {
    const mirror = new OutboxMirror();
    // write() answered "pending", but the drain's events got here first.
    mirror.changed(entry('a', 'sending'), false);
    mirror.changed(entry('a', 'confirmed'), true);
    mirror.learned([entry('a', 'pending')]);
    expect(statuses(mirror)).toEqual([]);
  });

  it('keeps the newer status an event brought over an older answer', () => {
    const mirror = new OutboxMirror();
    mirror.changed(entry('a', 'conflict'), false);
    mirror.learned([entry('a', 'pending'), entry('b', 'pending')]);
    expect(statuses(mirror)).toEqual(['a:conflict', 'b:pending']);
  });

  it('takes entries no event has spoken of from the answer, then follows the events', () => {
    const mirror = new OutboxMirror();
    mirror.learned([entry('a', 'pending')]);
    expect(statuses(mirror)).toEqual(['a:pending']);
    mirror.changed(entry('a', 'sending'), false);
    expect(mirror.get('a')?.status).toBe('sending');
    mirror.changed(entry('a', 'confirmed'), true);
    mirror.learned([entry('a', 'pending')]);
    expect(statuses(mirror)).toEqual([]);
  });
});
