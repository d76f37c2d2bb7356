import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/client/index.js';
import { waitingToSync } from '../../src/ui/state/outbox-summary.js';

const entry = (status: OutboxEntry['status'], attempts = 0): OutboxEntry => ({
  id: crypto.randomUUID(),
  order: 1,
  userId: 'u',
  record: 's',
  write: { kind: 'song.insert', songId: 's', bandId: 'b', fields: { title: 't' } },
  status,
  attempts,
  notBefore: 0,
  error: undefined,
  theirs: undefined,
  createdAt: 0,
});

describe('pending count', () => {
  it('counts open writes while offline, in words', () => {
    expect(waitingToSync([entry('pending')], false)).toBe('1 change waiting to sync');
    expect(waitingToSync([entry('pending'), entry('sending'), entry('pending')], false)).toBe(
      '3 changes waiting to sync',
    );
  });

  it('stays quiet online until a write has had to retry, and never counts settled entries', () => {
    expect(waitingToSync([entry('pending'), entry('sending')], true)).toBeUndefined();
    expect(waitingToSync([entry('pending', 2), entry('pending')], true)).toBe('2 changes waiting to sync');
    expect(waitingToSync([entry('conflict'), entry('failed', 1)], false)).toBeUndefined();
  });
});
