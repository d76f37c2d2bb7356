import { describe, expect, it } from 'vitest';
import { SONG_NUMBER_RANGES, SONG_TEXT_LIMITS } from '../../src/client/index.js';
import { parseSongForm } from '../../src/ui/state/song-form.js';

const form =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? '';

describe('song form', () => {
  it('reads trimmed fields, with an empty key and BPM as null and a length in seconds', () => {
    expect(parseSongForm(form({ title: ' Mine ', artist: 'Us', bpm: '', duration: '3:15' }))).toEqual({
      title: 'Mine',
      artist: 'Us',
      key: null,
      bpm: null,
      duration_seconds: 195,
      notes: '',
    });
  });

  it('keeps the notes, trimmed only at the end so a chord chart keeps its indent', () => {
    expect(parseSongForm(form({ title: 'Mine', notes: '  Am  G\nverse twice\n\n' }))).toMatchObject({
      notes: '  Am  G\nverse twice',
    });
  });

  it('refuses notes over the schema’s limit', () => {
    const notes = 'x'.repeat(SONG_TEXT_LIMITS.notes + 1);
    expect(parseSongForm(form({ title: 'Mine', notes }))).toBe('Notes can be at most 10,000 characters');
  });

  it('needs a title', () => {
    expect(parseSongForm(form({ title: '   ' }))).toBe('A song needs a title');
  });

  it('takes a BPM within the schema’s range and refuses one outside it', () => {
    const [min, max] = SONG_NUMBER_RANGES.bpm;
    expect(parseSongForm(form({ title: 'Mine', bpm: String(max) }))).toMatchObject({ bpm: max });
    for (const bpm of [String(min - 1), String(max + 1), '120.5']) {
      expect(parseSongForm(form({ title: 'Mine', bpm }))).toBe('BPM must be a whole number from 20 to 400');
    }
  });

  it('refuses a length that is not minutes:seconds or seconds', () => {
    expect(parseSongForm(form({ title: 'Mine', duration: '3m' }))).toBe('Length must look like 3:15');
  });
});
