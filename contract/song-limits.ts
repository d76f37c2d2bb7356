// The limits on a song's fields: the same as the songs table's checks in supabase/migrations.
// Written once, for the tab boundary's validator (a bad write is refused before it is queued) and
// for the song form (the user hears of it before saving).

/** The longest text, in characters, of each text field. */
export const SONG_TEXT_LIMITS = { title: 200, artist: 200, key: 12, notes: 10_000 } as const;

/** The inclusive [min, max] of each whole-number field. */
export const SONG_NUMBER_RANGES = { bpm: [20, 400], duration_seconds: [0, 86_400] } as const;

/** The longest band name and description, in characters (the bands table's checks). */
export const BAND_TEXT_LIMITS = { name: 100, description: 2000 } as const;
