// Who last changed a song and how long ago, as the list says it: "edited by Bob, 2 min ago".
// Pure: the time comes in as `now` (the page's clock ticks so the words stay current).
import type { Song } from '../../client/index.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date. */
export function timeAgo(at: number, now: number): string {
  // A clock a little behind the server's gives a negative time: still "just now".
  const elapsed = now - at;
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return `${Math.floor(elapsed / MINUTE)} min ago`;
  if (elapsed < DAY) return `${Math.floor(elapsed / HOUR)} h ago`;
  if (elapsed < 2 * DAY) return 'yesterday';
  if (elapsed < 7 * DAY) return `${Math.floor(elapsed / DAY)} days ago`;
  return new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/**
 * "added by Alice, 2 min ago" for a song never edited since, else "edited by Bob, …"; nothing for
 * a song the server has not stored yet. `nameOf` names a member (BandDetails.nameOf).
 */
export function songAttribution(
  song: Pick<Song, 'version' | 'created_by' | 'updated_by' | 'updated_at'>,
  nameOf: (userId: string | null) => string,
  now: number,
): string | undefined {
  const at = Date.parse(song.updated_at);
  if (Number.isNaN(at)) return undefined;
  const [verb, who] = song.version === 1 ? ['added', song.created_by] : ['edited', song.updated_by];
  return `${verb} by ${nameOf(who)}, ${timeAgo(at, now)}`;
}
