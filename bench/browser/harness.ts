// `runBrowserBench`: the whole side-by-side run in one browser against one backend: builds the
// pages, serves them, runs every (N, repeat, mode) cell with modes interleaved so drift hits all
// alike, and writes the results. Servers and the browser are closed at the end, also on error.
import { chromium } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { serverLoad } from '../../test/support/admin.js';
import { LAUNCH_OPTIONS } from '../../test/support/browser/chromium.js';
import { prepareBand, startBenchBackend, type BenchBackend } from './backend.js';
import { buildPages, bundleSizes } from './build.js';
import { runCell, type CellSettings } from './cell.js';
import { MODES, type Mode } from './modes.js';
import type { CellResult, Environment, ModeResults } from './results.js';
import { serveStatic } from './static-server.js';
import { blankTabHeap } from './tabs.js';
import { Writer } from './writer.js';

export interface BenchOptions extends CellSettings {
  profile: string;
  tabs: number[];
  repeats: number;
  modes?: readonly Mode[];
  log?: (line: string) => void;
}

export async function runBrowserBench(options: BenchOptions): Promise<ModeResults[]> {
  const log = options.log ?? (() => {});
  const modes = options.modes ?? MODES;
  const outDir = await mkdtemp(join(tmpdir(), 'backline-bench-'));
  const backend = await startBenchBackend();
  const cleanup: (() => Promise<void>)[] = [
    () => backend.stop(),
    () => rm(outDir, { recursive: true, force: true }),
  ];
  try {
    const band = await prepareBand(backend);
    await buildPages(backend, outDir);
    const bundles = await bundleSizes(outDir);
    const server = await serveStatic(outDir);
    cleanup.unshift(() => server.close());
    // The same system Chromium and flags as the e2e tests.
    const browser = await chromium.launch(LAUNCH_OPTIONS);
    cleanup.unshift(() => browser.close());
    const writer = new Writer(backend.url, backend.anonKey, band.writer.accessToken, band.bandId);
    const ctx = { browser, appUrl: server.url, backend, band, writer, settings: options };

    const cells: CellResult[] = [];
    for (const n of options.tabs) {
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        for (const mode of modes) {
          await waitForNoSockets(backend, band.reader.userId);
          const cell = await runCell(ctx, mode, n, repeat);
          log(summaryLine(cell));
          cells.push(cell);
        }
      }
    }
    const environment: Environment = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memory_gb: Math.round(totalmem() / 1e9),
      chromium: browser.version(),
      node: process.version,
      platform: `${platform()} ${release()}`,
      blank_tab_heap_bytes: await blankTabHeap(browser, server.url),
    };
    const date = new Date().toISOString();
    return modes.map((mode) => ({
      mode,
      date,
      profile: options.profile,
      environment,
      settings: { ...options, log: undefined, modes },
      bundle: bundles[mode],
      cells: cells.filter((cell) => cell.mode === mode),
    }));
  } finally {
    for (const step of cleanup) await step().catch(() => {});
  }
}

/** Waits until the previous profile's sockets are gone, so each cell counts only its own. */
async function waitForNoSockets(backend: BenchBackend, userId: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await serverLoad(backend, userId, '')).sockets > 0) {
    if (Date.now() > deadline)
      throw new Error(`sockets of the previous profile still open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function summaryLine(cell: CellResult): string {
  const p50 = cell.latency_rounds.map((round) => round.p50_ms).join('/');
  return (
    `${cell.mode.padEnd(10)} N=${String(cell.tabs).padEnd(3)} sockets=${cell.server.sockets} ` +
    `live2=${cell.live_ms[1] ?? '-'}ms p50=${p50}ms sustained=${cell.sustained_per_s}/s ` +
    `heap=${Math.round(cell.heap.total_bytes / 1e5) / 10}MB recovery=${cell.recovery?.ms ?? '-'}ms ` +
    `exactly-once=${cell.delivery.exactly_once}`
  );
}
