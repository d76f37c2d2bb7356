// A band's invite codes as the admin sees them: which are still open (not expired, not used up),
// newest first, and what each has left. Pure: the time comes in as `now`.
import type { InviteCode } from '../../client/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function isOpen(invite: InviteCode, now: number): boolean {
  return Date.parse(invite.expires_at) > now && invite.uses < invite.max_uses;
}

export function openInvites(invites: readonly InviteCode[], now: number): InviteCode[] {
  return invites
    .filter((invite) => isOpen(invite, now))
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id));
}

/** "expires in 7 days", "in 5 h", "in under an hour": rounded, so a fresh 7-day code says 7. */
export function expiresIn(invite: InviteCode, now: number): string {
  const left = Date.parse(invite.expires_at) - now;
  if (left >= 1.5 * DAY) return `expires in ${Math.round(left / DAY)} days`;
  if (left >= 1.5 * HOUR) return `expires in ${Math.round(left / HOUR)} h`;
  if (left >= HOUR) return 'expires in 1 h';
  return 'expires in under an hour';
}

/** "9 of 10 uses left". */
export function usesLeft(invite: InviteCode): string {
  const left = invite.max_uses - invite.uses;
  return `${left} of ${invite.max_uses} ${invite.max_uses === 1 ? 'use' : 'uses'} left`;
}
