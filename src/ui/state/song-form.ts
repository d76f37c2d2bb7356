// The song form's text as a song write's fields, or the message saying what to fix. Pure: the
// page hands in each field's text. The limits are the schema's (contract/song-limits.ts), which
// the form's maxlength attributes read too.
import { SONG_NUMBER_RANGES, SONG_TEXT_LIMITS, type Song } from '../../client/index.js';
import { parseDuration } from './song-list.js';

export type SongFormFields = Pick<Song, 'title' | 'artist' | 'key' | 'bpm' | 'duration_seconds' | 'notes'>;

/** `field(name)` is the text of the input with that name. */
export function parseSongForm(field: (name: string) => string): SongFormFields | string {
  const value = (name: string): string => field(name).trim();
  const title = value('title');
  if (!title) return 'A song needs a title';
  const bpmText = value('bpm');
  const bpm = bpmText === '' ? null : Number(bpmText);
  const [minBpm, maxBpm] = SONG_NUMBER_RANGES.bpm;
  if (bpm !== null && (!Number.isInteger(bpm) || bpm < minBpm || bpm > maxBpm))
    return `BPM must be a whole number from ${minBpm} to ${maxBpm}`;
  const duration = parseDuration(value('duration'));
  if (duration === undefined) return 'Length must look like 3:15';
  // Leading spaces may line up a chord chart: only the end is trimmed.
  const notes = field('notes').trimEnd();
  if (notes.length > SONG_TEXT_LIMITS.notes)
    return `Notes can be at most ${SONG_TEXT_LIMITS.notes.toLocaleString('en')} characters`;
  return {
    title,
    artist: value('artist'),
    key: value('key') || null,
    bpm,
    duration_seconds: duration,
    notes,
  };
}
