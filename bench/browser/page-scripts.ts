// The tab JS figure from a real page load: the DevTools protocol's Network domain on the page's
// own target, from navigation until the band's songs are on screen, records every script the
// page fetched from the bench's server (entry, static imports, modulepreloads and whatever it
// imported dynamically by then). The SharedWorker's script and its imports load in the worker's
// own target, so they do not show here. Each file is then gzipped from the served build.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { pageSession } from '../../test/support/browser/cdp.js';
import { songTitle, type BenchBackend, type BenchBand } from './backend.js';
import { pagePath, type Mode } from './modes.js';
import { openProfile, readerSeed, untilReady } from './tabs.js';

/** The band app's band page, signed in: what the "app page" figure loads. */
export const APP_BAND_PAGE = (bandId: string): string => `index.html#/band/${bandId}`;

/** Paths under the build (no leading slash) of the scripts one fresh profile's first tab loaded. */
async function scriptsLoaded(
  browser: Browser,
  appUrl: string,
  backend: BenchBackend,
  band: BenchBand,
  path: string,
  ready: (page: Page) => Promise<void>,
  signIn: (context: BrowserContext) => Promise<void> = () => Promise.resolve(),
): Promise<string[]> {
  const context = await openProfile(browser, appUrl, readerSeed(backend, band));
  try {
    await signIn(context);
    const page = await context.newPage();
    const cdp = await pageSession(page);
    const origin = new URL(appUrl).origin;
    const scripts = new Set<string>();
    cdp.on('Network.responseReceived', ({ response }) => {
      const url = new URL(response.url);
      if (url.origin === origin && url.pathname.endsWith('.js')) scripts.add(url.pathname.slice(1));
    });
    await cdp.send('Network.enable');
    await page.goto(`${appUrl}${path}`);
    await ready(page);
    return [...scripts].sort();
  } finally {
    await context.close();
  }
}

export interface PagesScripts {
  modes: Record<Mode, string[]>;
  /** The band app (index.html) on a signed-in band page, until its first song is on screen. */
  app: string[];
}

export async function pagesScripts(
  browser: Browser,
  appUrl: string,
  backend: BenchBackend,
  band: BenchBand,
  modes: readonly Mode[],
): Promise<PagesScripts> {
  if (band.songs < 1)
    throw new Error('the app page is measured until its first song shows: the band needs one');
  const byMode: Partial<Record<Mode, string[]>> = {};
  for (const mode of modes) {
    byMode[mode] = await scriptsLoaded(browser, appUrl, backend, band, pagePath(mode, band.bandId), (page) =>
      untilReady(page, mode, 'songs', 30_000),
    );
  }
  // The app signs in through the broker, whose session lives in the profile's IndexedDB: a lab
  // tab of the profile signs it in first (and stays open), then the app page loads signed in.
  const app = await scriptsLoaded(
    browser,
    appUrl,
    backend,
    band,
    APP_BAND_PAGE(band.bandId),
    (page) => page.getByText(songTitle(0), { exact: true }).waitFor({ timeout: 30_000 }),
    async (context) => {
      const lab = await context.newPage();
      await lab.goto(`${appUrl}${pagePath('shared', band.bandId)}`);
      await untilReady(lab, 'shared', 'live', 30_000);
    },
  );
  return { modes: byMode as Record<Mode, string[]>, app };
}
