// "Token refreshes per profile per token lifetime": a backend of its own whose access tokens live
// `ttlSeconds`, the pages built against it, and one profile per (mode, N), each with a user of
// its own, all open at once (the count is timer-driven, so they need not take turns). Once a
// profile's tabs are all open, its user's refresh count on the backend is read, read again
// `lifetimes` token lifetimes later, and the difference divided by the lifetimes that passed.
import type { Browser } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenRefreshes } from '../../test/support/admin.js';
import { freshSession, prepareBand, prepareUsers, startBenchBackend, type BenchBackend } from './backend.js';
import { buildPages } from './build.js';
import type { Mode } from './modes.js';
import type { TokenRefreshCell } from './results.js';
import { serveStatic } from './static-server.js';
import { openProfile, openTab, readerSeed } from './tabs.js';

export interface TokenRefreshSettings {
  ttlSeconds: number;
  /** Token lifetimes to watch once every tab of a profile is open. */
  lifetimes: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureTokenRefreshes(
  browser: Browser,
  settings: TokenRefreshSettings,
  tabs: readonly number[],
  modes: readonly Mode[],
): Promise<TokenRefreshCell[]> {
  const backend = await startBenchBackend(settings.ttlSeconds);
  const outDir = await mkdtemp(join(tmpdir(), 'backline-bench-refresh-'));
  try {
    await buildPages(backend, outDir);
    const server = await serveStatic(outDir);
    try {
      const cells = tabs.flatMap((n) => modes.map((mode) => ({ mode, n })));
      return await Promise.all(
        cells.map(({ mode, n }) => refreshCell(browser, backend, server.url, settings, mode, n)),
      );
    } finally {
      await server.close();
    }
  } finally {
    await backend.stop();
    await rm(outDir, { recursive: true, force: true });
  }
}

async function refreshCell(
  browser: Browser,
  backend: BenchBackend,
  appUrl: string,
  settings: TokenRefreshSettings,
  mode: Mode,
  n: number,
): Promise<TokenRefreshCell> {
  const band = await prepareBand(await prepareUsers(backend), 1);
  const userId = band.reader.userId;
  // Preparing the band refreshed the reader's first session in Node: the tabs get one of their own.
  const session = await freshSession(backend, band.reader.email);
  const before = await tokenRefreshes(backend, userId);
  // Songs are not this figure's business, and a REST token handed in would not outlive 20 s.
  const context = await openProfile(browser, appUrl, readerSeed(backend, band, { session, labRest: false }));
  try {
    // Many profiles open their tabs at once here: give each tab more time than a cell does.
    for (let i = 0; i < n; i++)
      await openTab(context, appUrl, mode, band.bandId, { ready: 'live', timeoutMs: 120_000 });
    const opened = await tokenRefreshes(backend, userId);
    const from = Date.now();
    await sleep(settings.lifetimes * settings.ttlSeconds * 1000);
    const refreshes = (await tokenRefreshes(backend, userId)) - opened;
    const lifetimes = (Date.now() - from) / 1000 / settings.ttlSeconds;
    return {
      mode,
      tabs: n,
      ttl_seconds: settings.ttlSeconds,
      refreshes_while_opening: opened - before,
      lifetimes: Math.round(lifetimes * 100) / 100,
      refreshes,
      per_lifetime: Math.round((refreshes / lifetimes) * 100) / 100,
    };
  } finally {
    await context.close();
  }
}
