// `runBrowserBench`: the whole side-by-side run in one browser against one backend: builds the
// pages, serves them, measures what each page loads, runs every (N, repeat, mode) cell with modes
// interleaved so drift hits all alike, each in a band of its own of the same size, then the token
// refreshes against a backend with short-lived tokens. Servers and the browser are closed at the
// end, also on error.
import { chromium } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { serverLoad } from '../../test/support/admin.js';
import { LAUNCH_OPTIONS } from '../../test/support/browser/chromium.js';
import { prepareBand, prepareUsers, startBenchBackend, type BenchBackend } from './backend.js';
import { buildPages, bundleSizes } from './build.js';
import { runCell, type CellSettings } from './cell.js';
import { MODES, type Mode } from './modes.js';
import type { CellResult, Environment, ModeResults, TokenRefreshCell } from './results.js';
import { pagesScripts } from './page-scripts.js';
import { serveStatic } from './static-server.js';
import { blankTabHeap } from './tabs.js';
import { measureTokenRefreshes, type TokenRefreshSettings } from './token-refreshes.js';
import { Writer } from './writer.js';

export interface BenchOptions extends CellSettings {
  profile: string;
  tabs: number[];
  repeats: number;
  /** Songs in each cell's band before its tabs open (at least 1: the app page waits for one). */
  bandSongs: number;
  /** null: no token-refresh figure. */
  tokenRefresh: TokenRefreshSettings | null;
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
    const users = await prepareUsers(backend);
    await buildPages(backend, outDir);
    const server = await serveStatic(outDir);
    cleanup.unshift(() => server.close());
    // The same system Chromium and flags as the e2e tests.
    const browser = await chromium.launch(LAUNCH_OPTIONS);
    cleanup.unshift(() => browser.close());
    const newBand = () => prepareBand(users, options.bandSongs);
    const bundles = await bundleSizes(
      outDir,
      await pagesScripts(browser, server.url, backend, await newBand(), modes),
    );

    const cells: CellResult[] = [];
    for (const n of options.tabs) {
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        for (const mode of modes) {
          await waitForNoSockets(backend, users.reader.userId);
          const band = await newBand();
          const writer = new Writer(backend.url, backend.anonKey, users.writer.accessToken, band.bandId);
          const cell = await runCell(
            { browser, appUrl: server.url, backend, band, writer, settings: options },
            mode,
            n,
            repeat,
          );
          log(summaryLine(cell));
          cells.push(cell);
        }
      }
    }
    const refreshes = options.tokenRefresh
      ? await measureTokenRefreshes(browser, options.tokenRefresh, options.tabs, modes)
      : [];
    refreshes.forEach((cell) => log(refreshLine(cell)));
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
      token_refreshes: refreshes.filter((cell) => cell.mode === mode),
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
    `live2=${cell.live_ms[1] ?? '-'}ms songs2=${cell.songs_ms[1] ?? '-'}ms p50=${p50}ms sustained=${cell.sustained_per_s}/s ` +
    `heap=${Math.round(cell.heap.total_bytes / 1e5) / 10}MB recovery=${cell.recovery?.ms ?? '-'}ms ` +
    `exactly-once=${cell.delivery.exactly_once}`
  );
}

function refreshLine(cell: TokenRefreshCell): string {
  return (
    `${cell.mode.padEnd(10)} N=${String(cell.tabs).padEnd(3)} token refreshes=${cell.refreshes} ` +
    `in ${cell.lifetimes} lifetimes of ${cell.ttl_seconds} s (${cell.per_lifetime}/lifetime), ` +
    `${cell.refreshes_while_opening} while opening`
  );
}
