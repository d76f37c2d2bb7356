// The band's songs on screen, as the baseline pages show them: read over REST as soon as the
// session is known, beside the subscription (as the band app reads its first snapshot beside its
// watch), then one list in the DOM.
import type { Supabase } from './band-log.js';
import type { Probe, SongsSource } from './probe.js';

export async function readSongTitles(supabase: Supabase, bandId: string): Promise<string[]> {
  const { data, error } = await supabase.from('songs').select('*').eq('band_id', bandId);
  if (error) throw new Error(error.message);
  return data.map((song) => song.title);
}

/** Puts the list in the page and stamps the probe: the moment the songs are in the DOM. */
export function showSongs(probe: Probe, titles: readonly string[], source: SongsSource): void {
  const list = document.createElement('ol');
  list.dataset['songs'] = '';
  list.append(...titles.map((title) => Object.assign(document.createElement('li'), { textContent: title })));
  document.body.append(list);
  probe.songsAt = performance.now();
  probe.songsShown = list.childElementCount;
  probe.songsSource = source;
}
