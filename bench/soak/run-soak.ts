// `runSoak`: the chaos soak. Two profiles of user A (5 tabs each, one of them in per-tab mode) and
// one of user B on three bands (B is in two); a change stream from Node and from B's outbox; a
// seeded schedule of faults, one at a time, each followed by the time until every tab has caught
// up; then the checker compares every tab with the database.
import { chromium, type Browser } from '@playwright/test';
import { chaos } from '../../test/support/admin.js';
import { bandWith, client, signedUpClient, type Client } from '../../test/support/backend.js';
import { startApp, type RunningApp } from '../../test/support/browser/app.js';
import { LAUNCH_OPTIONS } from '../../test/support/browser/chromium.js';
import { percentile } from '../stats.js';
import { check, type TabLog, type Verdict } from './checker.js';
import { databaseHeads, databaseLog, songsById, writerModelHolds } from './database.js';
import {
  heads,
  killWorker,
  openProfile,
  reopenTab,
  tabLog,
  takeTabOffline,
  type Person,
  type Profile,
} from './fleet.js';
import { seededRandom } from './random.js';
import { FAULT_KINDS, planFaults, type Fault, type FaultKind } from './schedule.js';
import { ChangeStream, type WriterCounts } from './writer.js';

export interface SoakOptions {
  seed: number;
  /** How long changes are made and faults injected. */
  seconds: number;
  changes: number;
  log?: (line: string) => void;
}

export interface FaultRecord extends Fault {
  /** ms from the fault ending until every open tab had every change made before it ended. */
  convergedMs: number | null;
}

export interface SoakSummary {
  seed: number;
  seconds: number;
  changesAsked: number;
  writer: WriterCounts;
  /** Outbox inserts by B that are in the database (each at most once by its primary key). */
  outboxLanded: number;
  /** The Node writer's view of its songs equals the database's. */
  writerModelHolds: boolean;
  faults: FaultRecord[];
  faultsByKind: Record<FaultKind, number>;
  /** Socket (re)connections seen by the tabs that lived longest, per profile and per-tab client. */
  reconnects: number;
  catchUps: number;
  convergeMs: { p50: number; max: number; n: number };
  /** From the last fault's end until every tab had every change. */
  finalConvergeMs: number;
  events: number;
  tabs: number;
  verdict: Verdict;
  /** Each profile's broker at the end, as its first tab sees it: for reading a failed run. */
  brokers: Record<string, unknown>;
}

const CONVERGE_TIMEOUT_MS = 30_000;
const STUCK_FAULTS = 3;

/** Nothing lost, doubled or out of order in any tab, and every change made reached the database. */
export const soakPassed = (summary: SoakSummary): boolean =>
  summary.verdict.ok &&
  summary.writerModelHolds &&
  summary.outboxLanded === summary.writer.outbox &&
  summary.writer.outboxUnanswered === 0;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function person(app: RunningApp, name: string): Promise<Person & { db: Client }> {
  const { client: db, userId, email, password } = await signedUpClient(app.backend, name);
  return { db, userId, email, password };
}

/** Waits until every open tab has delivered at least `want` per band; ms taken, or null on timeout. */
async function converge(profiles: Profile[], want: Record<string, number>): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < CONVERGE_TIMEOUT_MS) {
    const all = (await Promise.all(profiles.map(async (p) => ({ p, heads: await heads(p) })))).every(
      ({ p, heads: tabHeads }) => tabHeads.every((h) => p.bands.every((b) => (h[b] ?? 0) >= (want[b] ?? 0))),
    );
    if (all) return Date.now() - started;
    await sleep(100);
  }
  return null;
}

/** Catch-ups the broker behind a tab has run (a killed worker's count is read before it dies). */
const catchUpsBehind = (profile: Profile, index = 0): Promise<number> =>
  profile.tabs[index]!.page.evaluate(async () =>
    (await window.lab.backline.diagnostics()).users
      .flatMap((user) => user.bands)
      .reduce((n, band) => n + band.catchUps, 0),
  );

export async function runSoak(options: SoakOptions): Promise<SoakSummary> {
  const log = options.log ?? (() => {});
  const random = seededRandom(options.seed);
  const app = await startApp();
  let browser: Browser | undefined;
  try {
    const [a, b, w] = [await person(app, 'soak-a'), await person(app, 'soak-b'), await person(app, 'soak-w')];
    const bands = [
      await bandWith(w.db, [a.db, b.db], 'Soak 1'),
      await bandWith(w.db, [a.db, b.db], 'Soak 2'),
      await bandWith(w.db, [a.db], 'Soak 3'),
    ];
    const service = client(app.backend, app.backend.serviceRoleKey);
    browser = await chromium.launch(LAUNCH_OPTIONS);
    const profiles = [
      await openProfile(browser, app, 'A1', a, bands, ['shared', 'shared', 'shared', 'shared', 'shared']),
      await openProfile(browser, app, 'A2', a, bands, ['shared', 'shared', 'tab', 'shared', 'shared']),
      await openProfile(browser, app, 'B', b, bands.slice(0, 2), ['shared', 'shared']),
    ];
    const [, , profileB] = profiles as [Profile, Profile, Profile];
    log(`seed ${options.seed}: ${profiles.flatMap((p) => p.tabs).length} tabs live, writing`);

    const durationMs = options.seconds * 1000;
    const plan = planFaults({ seed: options.seed, durationMs, gapMs: [500, 1500], holdMs: [500, 3000] });
    // B's first tab writes through its outbox and is never the one reopened.
    const writer = new ChangeStream(w.db, bands, bands.slice(0, 2), () => profileB.tabs[0]!.page, random);
    let stopped = false;
    const writing = writer.run(options.changes, durationMs, () => stopped);
    let catchUps = 0;
    const records: FaultRecord[] = [];
    const started = Date.now();
    try {
      for (const fault of plan) {
        const wait = started + fault.at - Date.now();
        if (wait > 0) await sleep(wait);
        log(
          `${Math.round((Date.now() - started) / 1000)}s ${fault.kind}${fault.ms ? ` ${fault.ms} ms` : ''}`,
        );
        catchUps += await inject(fault);
        const want = await databaseHeads(service, bands);
        records.push({ ...fault, convergedMs: await converge(profiles, want) });
        // Tabs stuck for good: more faults would only add waits; the checker says what is missing.
        if (records.slice(-STUCK_FAULTS).filter((r) => r.convergedMs === null).length === STUCK_FAULTS) {
          log(`no convergence after ${STUCK_FAULTS} faults in a row: stopping the faults`);
          break;
        }
      }
      await writing;
    } finally {
      stopped = true;
      await writing.catch(() => undefined);
      await chaos(app, { action: 'reset' });
    }
    const lastFaultEnd = Date.now();
    await writer.settled();
    await waitForOutbox(profileB);
    const finalConvergeMs = await converge(profiles, await databaseHeads(service, bands));
    if (finalConvergeMs === null) log('tabs did not converge in time: the checker will say what is missing');

    for (const profile of profiles) {
      for (let i = 0; i < profile.tabs.length; i++) catchUps += await catchUpsBehind(profile, i);
    }
    const tabs: TabLog[] = [];
    for (const profile of profiles) {
      tabs.push(...profile.closed);
      for (const tab of profile.tabs) tabs.push(await tabLog(profile, tab, true));
    }
    const verdict = check(tabs, await databaseLog(service, bands));
    const brokers: Record<string, unknown> = {};
    for (const profile of profiles) brokers[profile.name] = await brokerState(profile);
    const landed = await songsById(
      service,
      writer.outboxInserts.map((i) => i.songId),
    );

    return {
      seed: options.seed,
      seconds: options.seconds,
      changesAsked: options.changes,
      writer: writer.counts,
      outboxLanded: landed.size,
      writerModelHolds: await writerModelHolds(service, writer),
      faults: records,
      faultsByKind: Object.fromEntries(
        FAULT_KINDS.map((kind) => [kind, records.filter((f) => f.kind === kind).length]),
      ) as Record<FaultKind, number>,
      reconnects: await reconnects(profiles),
      catchUps,
      convergeMs: convergeStats(records),
      finalConvergeMs: finalConvergeMs === null ? NaN : Date.now() - lastFaultEnd,
      events: tabs.reduce(
        (n, t) => n + Object.values(t.bands).reduce((m, band) => m + band.received.length, 0),
        0,
      ),
      tabs: tabs.length,
      verdict,
      brokers,
    };

    /** Applies one fault and lifts it after its time; answers catch-ups read from a worker before killing it. */
    async function inject(fault: Fault): Promise<number> {
      const hold = (): Promise<void> => sleep(fault.ms);
      const profile = profiles[fault.target % profiles.length]!;
      switch (fault.kind) {
        case 'drop':
          await chaos(app, { action: 'drop' });
          return 0;
        case 'blackhole':
          await chaos(app, { action: 'blackhole', ms: fault.ms });
          await hold();
          return 0;
        case 'refuse-realtime':
        case 'refuse-rest':
        case 'refuse-all': {
          const scope = fault.kind.slice('refuse-'.length) as 'realtime' | 'rest' | 'all';
          await chaos(app, { action: 'refuse', ms: fault.ms, scope });
          await hold();
          // The refusal has ended; sockets that gave up wait for their backoff, as they would.
          return 0;
        }
        case 'latency':
          await chaos(app, { action: 'latency', ms: fault.latencyMs, duration_ms: fault.ms });
          await hold();
          return 0;
        case 'kill-worker': {
          const shared = profile.tabs.findIndex((tab) => tab.mode === 'shared');
          const before = await catchUpsBehind(profile, shared);
          await killWorker(browser!, profile);
          return before;
        }
        case 'reopen-tab': {
          // Never B's first tab: it is the outbox writer.
          const index = 1 + (fault.target % (profile.tabs.length - 1));
          const before = await catchUpsBehind(profile, index);
          await reopenTab(app, profile, index);
          return before;
        }
        case 'offline-tab': {
          const tab = profile.tabs[fault.target % profile.tabs.length]!;
          const restore = await takeTabOffline(tab);
          await hold();
          await restore();
          return 0;
        }
      }
    }
  } finally {
    await browser?.close();
    await app.close();
  }
}

const brokerState = (profile: Profile): Promise<unknown> =>
  profile.tabs[0]!.page.evaluate(async () => {
    const d = await window.lab.backline.diagnostics();
    return {
      generation: d.generation,
      mode: d.mode,
      users: d.users.map((u) => ({
        state: u.state,
        history: u.history.slice(-10),
        bands: u.bands.map((b) => ({
          status: b.status,
          lastSeq: b.lastSeq,
          catchUps: b.catchUps,
          channel: b.channel,
        })),
      })),
    };
  });

async function waitForOutbox(profile: Profile): Promise<void> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const left = await profile.tabs[0]!.page.evaluate(
      async () => (await window.lab.backline.outbox()).length,
    );
    if (left === 0) return;
    await sleep(200);
  }
}

/** Connections after the first, as the longest-lived tab of each profile (and the per-tab client) saw them. */
async function reconnects(profiles: Profile[]): Promise<number> {
  let total = 0;
  for (const profile of profiles) {
    const counts = await Promise.all(
      profile.tabs.map(async (tab) => ({
        mode: tab.mode,
        connected: await tab.page.evaluate(() => window.lab.states.filter((s) => s === 'connected').length),
      })),
    );
    for (const mode of ['shared', 'tab'] as const) {
      const most = Math.max(0, ...counts.filter((c) => c.mode === mode).map((c) => c.connected));
      total += Math.max(0, most - 1);
    }
  }
  return total;
}

function convergeStats(records: FaultRecord[]): SoakSummary['convergeMs'] {
  const times = records.map((r) => r.convergedMs).filter((ms): ms is number => ms !== null);
  return { p50: percentile(times, 50), max: percentile(times, 100), n: times.length };
}
