// Baseline "leader tab", the pattern of Firestore's multi-tab mode and RxDB: the tab holding a Web
// Lock owns the one supabase-js subscription and rebroadcasts every event over a BroadcastChannel;
// when it closes, the lock passes to another tab, which subscribes and catches up from its own
// last seq. Same exactly-once rule and REST catch-up as the broker. Query: ?band=<id>.
import { createClient } from '@supabase/supabase-js';
import { supabaseConfig } from '../../src/config.js';
import type { BandEvent, Database } from '../../contract/schema.js';
import { persistedSession, readAfter, readHead, subscribeBand } from './band-log.js';
import { epochNow, fail, installProbe, record, recordHop } from './probe.js';
import { Sequencer } from './sequencer.js';
import { readSongTitles, showSongs } from './song-list.js';

/** `arrivedAt`: when the leader's socket brought the event (epoch ms), for the followers' hop. */
type BusMessage =
  | { type: 'hello' }
  | { type: 'live'; lastSeq: number }
  | { type: 'event'; event: BandEvent; arrivedAt: number };

const bandId = new URLSearchParams(location.search).get('band') ?? '';
const probe = installProbe('follower');
const { url, anonKey } = supabaseConfig();
const supabase = createClient<Database>(url, anonKey);
const bus = new BroadcastChannel(`bench-leader-tab:${bandId}`);
let leaderLive = false;

const sequencer = new Sequencer(
  (after) => readAfter(supabase, bandId, after),
  (event) => {
    record(probe, event);
    if (probe.role === 'leader')
      bus.postMessage({ type: 'event', event, arrivedAt: epochNow() } satisfies BusMessage);
  },
);
const markLive = (): void => void (probe.liveAt ??= performance.now());

function announceLive(): void {
  if (sequencer.lastSeq !== undefined) {
    bus.postMessage({ type: 'live', lastSeq: sequencer.lastSeq } satisfies BusMessage);
  }
}

bus.onmessage = ({ data }: MessageEvent<BusMessage>) => {
  if (probe.role === 'leader') {
    if (data.type === 'hello' && leaderLive) announceLive();
    return;
  }
  if (data.type === 'live') {
    sequencer.start(data.lastSeq);
    markLive();
  }
  if (data.type === 'event') {
    sequencer.receive([data.event]);
    recordHop(data.arrivedAt);
  }
};

async function lead(): Promise<never> {
  probe.role = 'leader';
  subscribeBand(
    supabase,
    bandId,
    (event) => sequencer.receive([event]),
    () => {
      const ready =
        sequencer.lastSeq === undefined
          ? readHead(supabase, bandId).then((head) => sequencer.start(head))
          : sequencer.catchUp();
      ready
        .then(() => {
          leaderLive = true;
          markLive();
          announceLive();
        })
        .catch((error: unknown) => fail(probe, error));
    },
  );
  // Held until this tab closes: then the next tab in the lock's queue leads.
  return new Promise<never>(() => {});
}

try {
  await persistedSession(supabase);
  readSongTitles(supabase, bandId)
    .then((titles) => showSongs(probe, titles, 'rest'))
    .catch((error: unknown) => fail(probe, error));
  bus.postMessage({ type: 'hello' } satisfies BusMessage);
  void navigator.locks.request(`bench-leader-tab:${bandId}`, lead);
} catch (error) {
  fail(probe, error);
}
