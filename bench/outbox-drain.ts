// `npm run bench:outbox`: writes queued offline in several tabs of one profile, then the network
// returns: how long the outbox takes to drain and confirm them all, how many requests that took,
// and whether anything was lost or doubled; then online write → confirmed latency. Batched
// inserts (the default) and one write per request (the baseline) run side by side in one run.
// Options: --writes 1000 --tabs 5 --online 200 --repeat 3 --batch 250 [--no-baseline]
import { chromium, type Page } from '@playwright/test';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { chaos, metrics } from '../test/support/admin.js';
import { client, signedUpClient, until } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { LAUNCH_OPTIONS } from '../test/support/browser/chromium.js';
import { openLab, signIn } from '../test/support/browser/lab.js';
import { percentile } from './stats.js';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    writes: { type: 'string', default: '1000' },
    tabs: { type: 'string', default: '5' },
    online: { type: 'string', default: '200' },
    repeat: { type: 'string', default: '3' },
    batch: { type: 'string', default: '250' },
    baseline: { type: 'boolean', default: true },
  },
});
const WRITES = Number(values.writes);
const TABS = Number(values.tabs);
const ONLINE = Number(values.online);
const REPEAT = Number(values.repeat);
const MODES = [
  { name: `batched (${values.batch} per request)`, batch: Number(values.batch) },
  ...(values.baseline ? [{ name: 'one write per request', batch: 1 }] : []),
];

interface ModeResult {
  mode: string;
  batch: number;
  runs: DrainRun[];
  online_ms: { p50: number; p99: number; max: number };
}

interface DrainRun {
  queued: number;
  enqueue_ms: number;
  drain_ms: number;
  writes_per_s: number;
  rest_requests: number;
  lost: number;
  duplicated: number;
}

const restRequests = async (app: RunningApp): Promise<number> => (await metrics(app)).http.rest;

/** Queues `count` inserts from the page's outbox, as fast as the page can. */
function queueInserts(page: Page, bandId: string, prefix: string, count: number): Promise<void> {
  return page.evaluate(
    async ({ bandId, prefix, count }) => {
      for (let i = 0; i < count; i++) {
        await window.lab.backline.write({
          kind: 'song.insert',
          songId: crypto.randomUUID(),
          bandId,
          fields: { title: `${prefix}-${i}` },
        });
      }
    },
    { bandId, prefix, count },
  );
}

async function drainRun(app: RunningApp, batch: number, run: number): Promise<DrainRun> {
  const owner = await signedUpClient(app.backend, `bench-${batch}-${run}`);
  const { data: band } = await owner.client.rpc('create_band', { name: 'Outbox bench', description: '' });
  const bandId = band!.id;
  const browser = await chromium.launch({ ...LAUNCH_OPTIONS, headless: true });
  try {
    const context = await browser.newContext();
    const tabs: Page[] = [];
    for (let i = 0; i < TABS; i++) {
      const page = await openLab(context, app, { transport: 'shared', batch });
      await signIn(page, owner.email, owner.password);
      tabs.push(page);
    }
    await chaos(app, { action: 'refuse', ms: 600_000, scope: 'all' });
    const enqueueStart = performance.now();
    const perTab = Math.ceil(WRITES / TABS);
    await Promise.all(
      tabs.map((page, i) => queueInserts(page, bandId, `t${i}`, Math.min(perTab, WRITES - i * perTab))),
    );
    const enqueueMs = performance.now() - enqueueStart;
    const queued = (await tabs[0]!.evaluate(() => window.lab.backline.outbox())).length;

    const requestsBefore = await restRequests(app);
    await chaos(app, { action: 'reset' });
    const start = performance.now();
    // The browser's `online` event: the outbox stops waiting out its backoff.
    await tabs[0]!.evaluate(() => window.dispatchEvent(new Event('online')));
    await until(
      async () => (await tabs[0]!.evaluate(() => window.lab.backline.outbox())).length === 0,
      300_000,
    );
    const drainMs = performance.now() - start;
    const requests = (await restRequests(app)) - requestsBefore;

    const { data: rows } = await client(app.backend, app.backend.serviceRoleKey)
      .from('songs')
      .select('title')
      .eq('band_id', bandId)
      .limit(WRITES * 2);
    const titles = (rows ?? []).map((r) => r.title);
    const distinct = new Set(titles).size;
    await context.close();
    return {
      queued,
      enqueue_ms: Math.round(enqueueMs),
      drain_ms: Math.round(drainMs),
      writes_per_s: Math.round((WRITES / drainMs) * 1000),
      rest_requests: requests,
      lost: WRITES - distinct,
      duplicated: titles.length - distinct,
    };
  } finally {
    await browser.close();
  }
}

/** Online: one write every 50 ms from one tab; enqueue → confirmed, measured in the page. */
async function onlineLatency(app: RunningApp, batch: number): Promise<number[]> {
  const owner = await signedUpClient(app.backend, `online-${batch}`);
  const { data: band } = await owner.client.rpc('create_band', { name: 'Online bench', description: '' });
  const browser = await chromium.launch({ ...LAUNCH_OPTIONS, headless: true });
  try {
    const page = await openLab(await browser.newContext(), app, { transport: 'shared', batch });
    await signIn(page, owner.email, owner.password);
    return await page.evaluate(
      async ({ bandId, count }) => {
        const started = new Map<string, number>();
        const latencies: number[] = [];
        const done = new Promise<void>((resolve) => {
          window.lab.backline.on('outbox:changed', ({ entry, removed }) => {
            const at = entry.write.kind === 'song.insert' ? started.get(entry.write.songId) : undefined;
            if (!removed || at === undefined || entry.status !== 'confirmed') return;
            latencies.push(performance.now() - at);
            if (latencies.length === count) resolve();
          });
        });
        for (let i = 0; i < count; i++) {
          const songId = crypto.randomUUID();
          started.set(songId, performance.now());
          void window.lab.backline.write({
            kind: 'song.insert',
            songId,
            bandId,
            fields: { title: `o-${i}` },
          });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await done;
        return latencies;
      },
      { bandId: band!.id, count: ONLINE },
    );
  } finally {
    await browser.close();
  }
}

const median = (xs: number[]): number => percentile(xs, 50);
const spread = (xs: number[]): string => `${Math.min(...xs)}–${Math.max(...xs)}`;

async function main(): Promise<void> {
  const app = await startApp(process.env['BENCH_LOG'] ? { logRequests: true } : {});
  const results: ModeResult[] = [];
  try {
    for (const mode of MODES) {
      const runs: DrainRun[] = [];
      for (let run = 0; run < REPEAT; run++) runs.push(await drainRun(app, mode.batch, run));
      const latencies = await onlineLatency(app, mode.batch);
      results.push({
        mode: mode.name,
        batch: mode.batch,
        runs,
        online_ms: {
          p50: Math.round(percentile(latencies, 50)),
          p99: Math.round(percentile(latencies, 99)),
          max: Math.round(Math.max(...latencies)),
        },
      });
      console.error(`${mode.name}: ${JSON.stringify(runs)}`);
    }
  } finally {
    await app.close();
  }
  const browser = await chromium.launch({ ...LAUNCH_OPTIONS, headless: true });
  const chromiumVersion = browser.version();
  await browser.close();
  const date = new Date().toISOString();
  const report = {
    date,
    environment: {
      node: process.version,
      chromium: chromiumVersion,
      cpu: cpus()[0]?.model,
      cores: cpus().length,
    },
    parameters: { writes: WRITES, tabs: TABS, online_writes: ONLINE, repeat: REPEAT },
    results,
  };
  const [batched, single] = results;
  const rate = (r: ModeResult): number[] => r.runs.map((x) => x.writes_per_s);
  const lines = [
    `# Outbox drain, ${date}`,
    '',
    `${WRITES} inserts queued offline (REST and realtime refused) in ${TABS} tabs of one profile, then the`,
    `network returns; ${REPEAT} runs per mode (median, range). Then ${ONLINE} online writes, one every 50 ms.`,
    `Node ${process.version}, Chromium ${chromiumVersion}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}.`,
    '',
    '| mode | drain time (ms) | writes/s | REST requests | lost | duplicated | enqueue (ms) | online p50 | p99 | max |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const drain = r.runs.map((x) => x.drain_ms);
      return `| ${r.mode} | ${median(drain)} (${spread(drain)}) | ${median(rate(r))} (${spread(rate(r))}) | ${median(r.runs.map((x) => x.rest_requests))} | ${Math.max(...r.runs.map((x) => x.lost))} | ${Math.max(...r.runs.map((x) => x.duplicated))} | ${median(r.runs.map((x) => x.enqueue_ms))} | ${r.online_ms.p50} ms | ${r.online_ms.p99} ms | ${r.online_ms.max} ms |`;
    }),
    '',
    batched && single
      ? `Batched vs one per request, same run: ${(median(rate(batched)) / median(rate(single))).toFixed(1)}× the drain rate with ${median(batched.runs.map((x) => x.rest_requests))} requests instead of ${median(single.runs.map((x) => x.rest_requests))}.`
      : '',
  ];
  await mkdir('bench/results', { recursive: true });
  const stem = `bench/results/${date.slice(0, 10)}-outbox-drain`;
  await writeFile(`${stem}.json`, JSON.stringify(report, null, 2) + '\n');
  await writeFile(`${stem}.md`, lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

await main();
