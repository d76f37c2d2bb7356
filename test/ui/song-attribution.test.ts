import { describe, expect, it } from 'vitest';
import { songAttribution, timeAgo } from '../../src/ui/state/song-attribution.js';

const MINUTE = 60_000;
const now = Date.parse('2026-12-02T12:00:00Z');
const names = (id: string | null): string => (id === 'bob' ? 'Bob' : id === 'me' ? 'you' : 'someone');

describe('song attribution', () => {
  it('says how long ago in words that change as time passes', () => {
    expect(timeAgo(now - 10_000, now)).toBe('just now');
    expect(timeAgo(now - 2 * MINUTE, now)).toBe('2 min ago');
    expect(timeAgo(now - 2 * MINUTE, now + 60 * MINUTE)).toBe('1 h ago');
    expect(timeAgo(now - 30 * 60 * MINUTE, now)).toBe('yesterday');
    expect(timeAgo(now - 3 * 24 * 60 * MINUTE, now)).toBe('3 days ago');
  });

  it('names who added a song, and who edited it last once it has been edited', () => {
    const at = new Date(now - 2 * MINUTE).toISOString();
    const added = { version: 1, created_by: 'bob', updated_by: 'bob', updated_at: at };
    expect(songAttribution(added, names, now)).toBe('added by Bob, 2 min ago');
    const edited = { version: 3, created_by: 'bob', updated_by: 'me', updated_at: at };
    expect(songAttribution(edited, names, now)).toBe('edited by you, 2 min ago');
    const reworked = { ...added, version: 2 };
    expect(songAttribution(reworked, names, now)).toBe('edited by Bob, 2 min ago');
  });

  it('says nothing of a song the server has not stored yet', () => {
    expect(
      songAttribution({ version: 1, created_by: null, updated_by: null, updated_at: '' }, names, now),
    ).toBe(undefined);
  });
});
