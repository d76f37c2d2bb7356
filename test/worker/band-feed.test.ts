// The band cache in the band feed, without a socket: a log in memory stands in for REST, and the
// test says when the band's channel delivers (shardLive) and what it delivers (bandEvent).
import { describe, expect, it } from 'vitest';
import type { BandLive, BandRows, BusEvent } from '../../contract/protocol.js';
import type { BandEvent, Song } from '../../contract/schema.js';
import { BandFeed, type BandReads } from '../../worker/band-feed.js';
import type { BandSnapshot } from '../../worker/core/band-rows.js';
import { LocalFanout, UserBus } from '../../worker/fanout.js';
import { BAND_ID, bandRow, eventAt, initial, song } from './core/band-fixtures.js';
import { until } from '../support/backend.js';

/** The band's log in memory: its snapshot, what comes after it, and how often each was read. */
class MemoryLog implements BandReads {
  snapshots = 0;
  reads = 0;

  constructor(
    public snapshotted: BandSnapshot,
    public events: BandEvent[] = [],
  ) {}

  snapshot(): Promise<BandSnapshot | null> {
    this.snapshots++;
    return Promise.resolve(this.snapshotted);
  }

  after(_bandId: string, afterSeq: number): Promise<BandEvent[]> {
    this.reads++;
    return Promise.resolve(this.events.filter((e) => e.seq > afterSeq));
  }

  pageForTabs(): Promise<BandEvent[]> {
    return Promise.resolve([]);
  }
}

function feedOver(log: MemoryLog) {
  const published: BusEvent[] = [];
  const changed: BandRows[] = [];
  const feed = new BandFeed(
    'user',
    log,
    new UserBus(new LocalFanout((e) => published.push(e)), 'user', () => ['tab']),
    { delivered: () => undefined },
    { bandChanged: (rows) => changed.push(rows) },
    // No budget to wait for: these tests join no channel.
    { take: () => Promise.resolve() },
  );
  /** Watches the band and, once it is subscribed, lets its channel deliver: resolves when live. */
  const watch = async (): Promise<BandLive> => {
    const live = feed.whenLive(BAND_ID);
    await until(() => feed.diagnostics({ watchers: () => 0 }).length > 0);
    feed.shardLive([BAND_ID]);
    return live;
  };
  const delivered = () => published.flatMap((e) => (e.type === 'band:event' ? [e.event.seq] : []));
  return { feed, published, changed, watch, delivered };
}

const titles = (songs: Song[]) => songs.map((s) => s.title);

/** A band whose snapshot stands at seq 5: song "Kept" added at 3, "Gone" added at 4 and deleted at 5. */
const kept = song(10, 1, { title: 'Kept' });
const gone = song(11, 2, { title: 'Gone' });
const atFive = (): BandSnapshot => ({ seq: 5, rows: { ...initial(), songs: [kept] } });

describe('band feed rows', () => {
  it('answers a watch with the rows at the seq it is live at, caught-up events applied', async () => {
    const log = new MemoryLog(atFive(), [
      eventAt(6, 'songs', 'INSERT', song(12, 3, { title: 'New' })),
      eventAt(7, 'songs', 'UPDATE', { ...kept, title: 'Kept, renamed', version: 2 }),
    ]);
    const { watch } = feedOver(log);
    const live = await watch();
    expect(live.lastSeq).toBe(7);
    expect(titles(live.rows.songs)).toEqual(['Kept, renamed', 'New']);
  });

  it('never applies again an event the snapshot already holds: the seq drops it', async () => {
    const log = new MemoryLog(atFive());
    const { feed, watch, delivered } = feedOver(log);
    await watch();
    // The overlap of two channels (make before break) brings old events again.
    feed.bandEvent(eventAt(4, 'songs', 'INSERT', gone));
    feed.bandEvent(eventAt(6, 'songs', 'INSERT', song(12, 3, { title: 'New' })));
    feed.bandEvent(eventAt(4, 'songs', 'INSERT', gone));
    const again = await feed.whenLive(BAND_ID);
    expect(titles(again.rows.songs)).toEqual(['Kept', 'New']);
    expect(again.lastSeq).toBe(6);
    expect(delivered()).toEqual([6]);
  });

  it('answers a second watch of a live band from memory, reading nothing', async () => {
    const log = new MemoryLog(atFive());
    const { feed, watch } = feedOver(log);
    const first = await watch();
    const [snapshots, reads] = [log.snapshots, log.reads];
    const second = await feed.whenLive(BAND_ID);
    expect(second).toEqual(first);
    expect([log.snapshots, log.reads]).toEqual([snapshots, reads]);
  });

  it('tells every tab the band is live without its rows: they go only to the watch', async () => {
    const { published, watch } = feedOver(new MemoryLog(atFive()));
    await watch();
    expect(published.filter((e) => e.type === 'band:live')).toEqual([
      { type: 'band:live', userId: 'user', bandId: BAND_ID, lastSeq: 5 },
    ]);
  });

  it('drops the rows with the subscription: the next watch reads them afresh', async () => {
    const log = new MemoryLog(atFive());
    const { feed, watch } = feedOver(log);
    await watch();
    feed.release(BAND_ID, new Error('released'));
    log.snapshotted = { seq: 5, rows: { ...initial(), songs: [] } };
    const live = await watch();
    expect(log.snapshots).toBe(2);
    expect(live.rows.songs).toEqual([]);
  });

  it("tells the band list when the band's own row changes, and not for its songs", async () => {
    const described = bandRow({ description: 'Loud' });
    const log = new MemoryLog(atFive(), [
      eventAt(6, 'songs', 'INSERT', song(12, 3)),
      eventAt(7, 'bands', 'UPDATE', described),
    ]);
    const { changed, watch } = feedOver(log);
    await watch();
    expect(changed.map((rows) => rows.band)).toEqual([described]);
  });

  it('refuses watches with the reason once an event does not parse, and still delivers the events', async () => {
    const broken = { ...eventAt(6, 'songs', 'INSERT', song(12, 3)), record: { title: 'no id' } };
    const log = new MemoryLog(atFive(), [broken, eventAt(7, 'songs', 'INSERT', song(13, 4))]);
    const { watch, delivered } = feedOver(log);
    await expect(watch()).rejects.toMatchObject({
      code: 'internal',
      message: `band ${BAND_ID}'s rows: songs INSERT at seq 6.id is not a uuid`,
    });
    expect(delivered()).toEqual([6, 7]);
  });
});
