// One cell of the benchmark: one mode, N tabs in a fresh profile, the same phases in the same
// order for every mode: open the tabs one by one, count the server's sockets, measure latency at a
// gentle rate, heap, a rate ramp, a drop of every socket, and finally exactly-once delivery.
import type { Browser } from '@playwright/test';
import { chaos, serverLoad } from '../../test/support/admin.js';
import {
  closeSharedWorker,
  heapUsed,
  sharedWorkerHeap,
  taskSeconds,
} from '../../test/support/browser/cdp.js';
import type { BenchBackend, BenchBand } from './backend.js';
import type { Mode } from './modes.js';
import type { CellResult, Delivery, LatencyRound, Percentiles, RampStep } from './results.js';
import { percentile } from './stats.js';
import {
  allReceived,
  clearHops,
  hops,
  liveAt,
  openProfile,
  openTab,
  readerSeed,
  receivedAfter,
  scriptToLive,
  songsShown,
  type Tab,
} from './tabs.js';
import { committedSeqs, headSeq, type Writer } from './writer.js';

export interface CellSettings {
  latencyRounds: number;
  latencyWrites: number;
  latencyIntervalMs: number;
  rampRates: number[];
  rampSeconds: number;
  /** Writes made while the sockets are down; 0 skips the drop. */
  chaosWrites: number;
  /** Also kill the SharedWorker / the leader tab (after the exactly-once check). */
  ownerLoss: boolean;
  /** How long tabs may take to receive a phase's writes before it counts as not delivered. */
  settleMs: number;
}

export interface CellContext {
  browser: Browser;
  appUrl: string;
  backend: BenchBackend;
  band: BenchBand;
  writer: Writer;
  settings: CellSettings;
}

const latencies = (received: [number, number, number][][]): number[] =>
  received.flatMap((events) => events.map(([, at, at2]) => at2 - at));

async function receivedByAll(tabs: Tab[], head: number): Promise<[number, number, number][][]> {
  return Promise.all(tabs.map((tab) => receivedAfter(tab, head)));
}

const figures = (samples: number[]): Percentiles => ({
  p50_ms: percentile(samples, 50),
  p99_ms: percentile(samples, 99),
  max_ms: percentile(samples, 100),
  samples_ms: samples,
});

async function latencyRound(ctx: CellContext, mode: Mode, tabs: Tab[]): Promise<LatencyRound> {
  const { writer, band, settings } = ctx;
  const head = await headSeq(band.readerClient, band.bandId);
  await Promise.all(tabs.map(clearHops));
  await writer.paced(settings.latencyWrites, settings.latencyIntervalMs);
  await allReceived(tabs, head, settings.latencyWrites, settings.settleMs);
  const samples = latencies(await receivedByAll(tabs, head));
  const hopSamples = (await Promise.all(tabs.map(hops))).flat();
  return {
    writes: settings.latencyWrites,
    ...figures(samples),
    hop: mode === 'per-tab' ? null : figures(hopSamples),
  };
}

async function rampStep(ctx: CellContext, tabs: Tab[], rate: number): Promise<RampStep> {
  const { writer, band, settings } = ctx;
  const head = await headSeq(band.readerClient, band.bandId);
  const result = await writer.atRate(rate, settings.rampSeconds);
  const committed = (await committedSeqs(band.readerClient, band.bandId, head)).length;
  const deliveredAll = await allReceived(tabs, head, committed, settings.settleMs);
  const p99 = percentile(latencies(await receivedByAll(tabs, head)), 99);
  const passed = deliveredAll && result.failed === 0 && result.achieved_per_s >= 0.9 * rate && p99 < 1000;
  return { ...result, delivered_all: deliveredAll, p99_ms: p99, passed };
}

function whyFailed(step: RampStep | undefined): string {
  if (!step) return 'not reached';
  if (step.failed > 0 || step.achieved_per_s < 0.9 * step.asked_per_s) return 'backend write rate';
  if (!step.delivered_all) return 'delivery';
  return 'latency';
}

async function recovery(ctx: CellContext, tabs: Tab[]): Promise<CellResult['recovery']> {
  const { writer, band, backend, settings } = ctx;
  if (settings.chaosWrites === 0) return null;
  const head = await headSeq(band.readerClient, band.bandId);
  const dropped = Date.now();
  // Every socket of the reader closes, as a network drop would.
  await chaos(backend, { action: 'drop', user_id: band.reader.userId });
  for (let i = 0; i < settings.chaosWrites; i++) await writer.write();
  const recovered = await allReceived(tabs, head, settings.chaosWrites, 30_000);
  const received = (await receivedByAll(tabs, head)).flat().map(([, , at]) => at);
  return { writes: settings.chaosWrites, ms: recovered ? Math.max(...received) - dropped : NaN };
}

/**
 * Kills what holds the socket for the others (the SharedWorker, or the leader tab), writes, and
 * times until every remaining tab has every seq, or `settleMs` passes. Per-tab mode has no such
 * owner. Counted on its own: the cell's exactly-once check ends before it.
 */
async function ownerLoss(ctx: CellContext, mode: Mode, tabs: Tab[]): Promise<CellResult['owner_loss']> {
  const { writer, band, browser, settings } = ctx;
  if (!settings.ownerLoss || mode === 'per-tab' || tabs.length < 2) return null;
  const head = await headSeq(band.readerClient, band.bandId);
  const killed = Date.now();
  let survivors = tabs;
  if (mode === 'shared') await closeSharedWorker(browser);
  else {
    const roles = await Promise.all(tabs.map((tab) => tab.page.evaluate(() => window.benchProbe.role)));
    const leader = tabs[roles.indexOf('leader')]!;
    await leader.page.close({ runBeforeUnload: false });
    survivors = tabs.filter((tab) => tab !== leader);
  }
  for (let i = 0; i < settings.chaosWrites; i++) await writer.write();
  const recovered = await allReceived(survivors, head, settings.chaosWrites, settings.settleMs);
  const received = (await receivedByAll(survivors, head)).flat().map(([, , at]) => at);
  return {
    writes: settings.chaosWrites,
    ms: recovered ? Math.max(...received) - killed : NaN,
    delivery: await delivery(ctx, survivors, head),
  };
}

async function delivery(ctx: CellContext, tabs: Tab[], head: number): Promise<Delivery> {
  const committed = await committedSeqs(ctx.band.readerClient, ctx.band.bandId, head);
  const want = new Set(committed);
  let lost = 0;
  let duplicated = 0;
  let exact = 0;
  for (const received of await receivedByAll(tabs, head)) {
    const seqs = received.map(([seq]) => seq);
    const distinct = new Set(seqs);
    lost += committed.filter((seq) => !distinct.has(seq)).length;
    duplicated += seqs.length - distinct.size + seqs.filter((seq) => !want.has(seq)).length;
    if (JSON.stringify(seqs) === JSON.stringify(committed)) exact++;
  }
  return {
    committed: committed.length,
    tabs_exactly_once: exact,
    tabs: tabs.length,
    lost,
    duplicated,
    exactly_once: exact === tabs.length,
  };
}

export async function runCell(ctx: CellContext, mode: Mode, n: number, repeat: number): Promise<CellResult> {
  const { browser, appUrl, band, backend, settings } = ctx;
  const context = await openProfile(browser, appUrl, readerSeed(backend, band));
  try {
    const tabs: Tab[] = [];
    // One by one, each live before the next: tab 2 on is "a new tab in a profile already live".
    for (let i = 0; i < n; i++) tabs.push(await openTab(context, appUrl, mode, band.bandId));
    const live = await Promise.all(tabs.map(liveAt));
    const scriptLive = await Promise.all(tabs.map(scriptToLive));
    const songs = await Promise.all(tabs.map(songsShown));
    const server = await serverLoad(backend, band.reader.userId, band.bandId);
    const head = await headSeq(band.readerClient, band.bandId);

    const tasksBefore = await Promise.all(tabs.map((tab) => taskSeconds(tab.cdp)));
    const rounds: LatencyRound[] = [];
    for (let i = 0; i < settings.latencyRounds; i++) rounds.push(await latencyRound(ctx, mode, tabs));
    const tasksAfter = await Promise.all(tabs.map((tab) => taskSeconds(tab.cdp)));
    const taskDelta = tasksAfter.reduce((sum, t, i) => sum + t - tasksBefore[i]!, 0);
    const events = settings.latencyRounds * settings.latencyWrites * n;

    const tabHeaps = await Promise.all(tabs.map((tab) => heapUsed(tab.cdp)));
    const workerHeap = mode === 'shared' ? await sharedWorkerHeap(browser) : null;

    const ramp: RampStep[] = [];
    for (const rate of settings.rampRates) {
      const step = await rampStep(ctx, tabs, rate);
      ramp.push(step);
      if (!step.passed) break;
    }
    const passed = ramp.filter((step) => step.passed);
    const recovered = await recovery(ctx, tabs);
    const delivered = await delivery(ctx, tabs, head);
    return {
      mode,
      tabs: n,
      repeat,
      server,
      live_ms: live.map(Math.round),
      script_live_ms: scriptLive.map(Math.round),
      songs_ms: songs.map(({ at }) => Math.round(at)),
      songs_shown: songs.map(({ shown }) => shown),
      songs_source: songs.map(({ source }) => source),
      band_songs: band.songs,
      heap: {
        tabs_bytes: tabHeaps,
        worker_bytes: workerHeap,
        total_bytes: tabHeaps.reduce((a, b) => a + b, 0) + (workerHeap ?? 0),
      },
      latency_rounds: rounds,
      main_thread_us_per_event: events > 0 ? Math.round((taskDelta / events) * 1e6) : NaN,
      ramp,
      sustained_per_s: passed.at(-1)?.achieved_per_s ?? 0,
      above_sustained: whyFailed(ramp.find((step) => !step.passed)),
      recovery: recovered,
      delivery: delivered,
      owner_loss: await ownerLoss(ctx, mode, tabs),
    };
  } finally {
    await context.close();
  }
}
