// Baseline "per-tab": plain supabase-js in every tab, one socket and one subscription each, caught
// up over REST after every (re)join. Query: ?band=<id>.
import { createClient } from '@supabase/supabase-js';
import { supabaseConfig } from '../../src/config.js';
import type { Database } from '../../contract/schema.js';
import { persistedSession, readAfter, readHead, subscribeBand } from './band-log.js';
import { fail, installProbe, record } from './probe.js';
import { Sequencer } from './sequencer.js';
import { readSongTitles, showSongs } from './song-list.js';

const bandId = new URLSearchParams(location.search).get('band') ?? '';
const probe = installProbe('tab');
const { url, anonKey } = supabaseConfig();
const supabase = createClient<Database>(url, anonKey);

try {
  await persistedSession(supabase);
  readSongTitles(supabase, bandId)
    .then((titles) => showSongs(probe, titles, 'rest'))
    .catch((error: unknown) => fail(probe, error));
  const sequencer = new Sequencer(
    (after) => readAfter(supabase, bandId, after),
    (event) => record(probe, event),
  );
  subscribeBand(
    supabase,
    bandId,
    (event) => sequencer.receive([event]),
    () => {
      const ready =
        sequencer.lastSeq === undefined
          ? readHead(supabase, bandId).then((head) => sequencer.start(head))
          : sequencer.catchUp();
      ready.then(() => (probe.liveAt ??= performance.now())).catch((error: unknown) => fail(probe, error));
    },
  );
} catch (error) {
  fail(probe, error);
}
