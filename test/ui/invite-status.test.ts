import { describe, expect, it } from 'vitest';
import type { InviteCode } from '../../src/client/index.js';
import { expiresIn, openInvites, usesLeft } from '../../src/ui/state/invite-status.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-12-02T12:00:00Z');
const invite = (id: string, fields: Partial<InviteCode> = {}): InviteCode => ({
  id,
  band_id: 'b',
  code: `CODE${id}`,
  created_by: 'u',
  created_at: new Date(now - Number(id) * HOUR).toISOString(),
  expires_at: new Date(now + 7 * 24 * HOUR - 1000).toISOString(),
  max_uses: 10,
  uses: 0,
  ...fields,
});

describe('invite status', () => {
  it('lists open invites newest first, without expired or used-up ones', () => {
    const invites = [
      invite('3'),
      invite('1'),
      invite('2', { expires_at: new Date(now).toISOString() }),
      invite('4', { uses: 10 }),
    ];
    expect(openInvites(invites, now).map((i) => i.id)).toEqual(['1', '3']);
  });

  it('says when a code expires, a fresh 7-day code as 7 days', () => {
    expect(expiresIn(invite('1'), now)).toBe('expires in 7 days');
    expect(expiresIn(invite('1', { expires_at: new Date(now + 5 * HOUR).toISOString() }), now)).toBe(
      'expires in 5 h',
    );
    expect(expiresIn(invite('1', { expires_at: new Date(now + HOUR / 2).toISOString() }), now)).toBe(
      'expires in under an hour',
    );
  });

  it('says how many uses are left', () => {
    expect(usesLeft(invite('1', { uses: 3 }))).toBe('7 of 10 uses left');
    expect(usesLeft(invite('1', { max_uses: 1 }))).toBe('1 of 1 use left');
  });
});
