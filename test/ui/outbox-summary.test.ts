import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/client/index.js';
import { holdUp, serverUnreachable, waitingToSync } from '../../src/ui/state/outbox-summary.js';

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

const retrying = (): OutboxEntry => ({
  ...entry('pending', 2),
  error: { code: 'retrying', message: 'TypeError: Failed to fetch' },
});
const online = { signedIn: true, offline: false };

describe('why changes wait', () => {
  it('says the server is unreachable when its last send failed, whatever the socket says', () => {
    expect(holdUp([retrying(), entry('pending')], online)).toBe('server-unreachable');
    expect(serverUnreachable([retrying()])).toBe(true);
    expect(serverUnreachable([entry('pending', 1), { ...retrying(), status: 'failed' }])).toBe(false);
  });

  it('puts signed out first, then offline: nothing is sent either way', () => {
    expect(holdUp([retrying()], { signedIn: false, offline: true })).toBe('signed-out');
    expect(holdUp([retrying()], { signedIn: true, offline: true })).toBe('offline');
  });

  it('names a conflict that holds back a later write to its song', () => {
    const conflict = { ...entry('conflict', 1), record: 'song-1' };
    expect(holdUp([conflict, { ...entry('pending'), record: 'song-1' }], online)).toBe('conflict');
    expect(holdUp([conflict, { ...entry('pending'), record: 'song-2' }], online)).toBeUndefined();
  });

  it('has nothing to say when nothing is open, or a write is simply on its way', () => {
    expect(holdUp([entry('failed', 1), entry('conflict', 1)], online)).toBeUndefined();
    expect(holdUp([entry('sending')], online)).toBeUndefined();
    expect(holdUp([entry('pending', 1)], online)).toBe('retrying');
  });
});
