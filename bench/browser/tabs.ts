// A browser profile of one mode and its tabs: every tab starts signed in (the reader's session is
// already in localStorage, as for a returning user), opens the band and reports through
// `window.benchProbe` (bench/pages/probe.ts; on the lab page an init script installs it).
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import type { Session } from '@supabase/supabase-js';
import type { Probe, SongsSource } from '../pages/probe.js';
import { heapUsed, pageSession } from '../../test/support/browser/cdp.js';
import { pagePath, type Mode } from './modes.js';

export interface Tab {
  page: Page;
  cdp: CDPSession;
}

interface LabLike {
  supabase: { auth: { getSession(): Promise<{ data: { session: Session | null } }> } };
  backline: {
    on(type: 'band:event', handler: (event: { seq: number; at: string }) => void): unknown;
    setSession(session: { userId: string; accessToken: string }): Promise<void>;
  };
  watch(bandId: string): Promise<number>;
  songs(bandId: string): Promise<{ source: 'watch' | 'rest'; titles: string[] }>;
}

/**
 * Runs in the lab page before its module: records band events, watches the band once `window.lab`
 * exists, then shows its songs (from the watch answer's rows when the broker sends them, else
 * read over REST once live) as a list like bench/pages/song-list.ts's, inlined: init scripts
 * cannot import.
 */
function labProbe(bandId: string): void {
  if (!location.pathname.endsWith('/lab.html')) return;
  const probe: Probe = {
    received: [],
    liveAt: null,
    startedAt: null,
    songsAt: null,
    songsShown: null,
    songsSource: null,
    error: null,
    role: 'tab',
  };
  const target = window as unknown as { benchProbe: Probe; lab?: LabLike };
  target.benchProbe = probe;
  let lab: LabLike | undefined;
  Object.defineProperty(window, 'lab', {
    configurable: true,
    get: () => lab,
    set(value: LabLike) {
      lab = value;
      probe.startedAt = performance.getEntriesByName('page:start')[0]?.startTime ?? null;
      value.backline.on('band:event', (event) =>
        probe.received.push([event.seq, Date.parse(event.at), Date.now()]),
      );
      void (async () => {
        // As the app does: the persisted session goes to the broker, then the band is watched.
        const { session } = (await value.supabase.auth.getSession()).data;
        if (!session) throw new Error('no session');
        await value.backline.setSession({ userId: session.user.id, accessToken: session.access_token });
        await value.watch(bandId);
        probe.liveAt = performance.now();
        const { source, titles } = await value.songs(bandId);
        const list = document.createElement('ol');
        list.dataset['songs'] = '';
        list.append(
          ...titles.map((title) => Object.assign(document.createElement('li'), { textContent: title })),
        );
        document.body.append(list);
        probe.songsAt = performance.now();
        probe.songsShown = titles.length;
        probe.songsSource = source;
      })().catch((error: unknown) => (probe.error = String(error)));
    },
  });
}

function seedSession([key, session]: [string, string]): void {
  if (!localStorage.getItem(key)) localStorage.setItem(key, session);
}

export async function openProfile(
  browser: Browser,
  appUrl: string,
  bandId: string,
  session: Session,
): Promise<BrowserContext> {
  const context = await browser.newContext();
  // auth-js's default key for a project at 127.0.0.1: supabase-js and the app's client share it.
  const key = `sb-${new URL(appUrl).hostname.split('.')[0]}-auth-token`;
  // As source text: tsx (esbuild keepNames) wraps functions in a `__name` helper the page lacks.
  const script = (fn: (arg: never) => void, arg: unknown): string =>
    `var __name = (f) => f; (${fn.toString()})(${JSON.stringify(arg)});`;
  await context.addInitScript({ content: script(seedSession, [key, JSON.stringify(session)]) });
  await context.addInitScript({ content: script(labProbe, bandId) });
  return context;
}

export async function openTab(
  context: BrowserContext,
  appUrl: string,
  mode: Mode,
  bandId: string,
  timeoutMs = 30_000,
): Promise<Tab> {
  const page = await context.newPage();
  const cdp = await pageSession(page);
  await page.goto(`${appUrl}${pagePath(mode, bandId)}`);
  await untilLiveWithSongs(page, mode, timeoutMs);
  return { page, cdp };
}

/** Waits until the page's band is live and its songs are on screen; throws what the page reported instead. */
export async function untilLiveWithSongs(page: Page, mode: Mode, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    () =>
      window.benchProbe !== undefined &&
      ((window.benchProbe.liveAt !== null && window.benchProbe.songsAt !== null) ||
        window.benchProbe.error !== null),
    undefined,
    { timeout: timeoutMs, polling: 20 },
  );
  const error = await page.evaluate(() => window.benchProbe.error);
  if (error) throw new Error(`${mode} tab failed: ${error}`);
}

export const liveAt = (tab: Tab): Promise<number> => tab.page.evaluate(() => window.benchProbe.liveAt ?? NaN);

/** Navigation → the band's songs in the DOM, how many, and where the page had them from. */
export const songsShown = (tab: Tab): Promise<{ at: number; shown: number; source: SongsSource | null }> =>
  tab.page.evaluate(() => ({
    at: window.benchProbe.songsAt ?? NaN,
    shown: window.benchProbe.songsShown ?? 0,
    source: window.benchProbe.songsSource,
  }));

/** From the page's own code starting (its bundle loaded) to live: what the realtime layer adds. */
export const scriptToLive = (tab: Tab): Promise<number> =>
  tab.page.evaluate(() => (window.benchProbe.liveAt ?? NaN) - (window.benchProbe.startedAt ?? NaN));

/** [seq, at ms, received ms] of every event after `head` this tab has delivered. */
export const receivedAfter = (tab: Tab, head: number): Promise<[number, number, number][]> =>
  tab.page.evaluate((h) => window.benchProbe.received.filter(([seq]) => seq > h), head);

export const countAfter = (tab: Tab, head: number): Promise<number> =>
  tab.page.evaluate((h) => window.benchProbe.received.filter(([seq]) => seq > h).length, head);

/** Waits until every tab has delivered `count` events after `head`; false on timeout. */
export async function allReceived(
  tabs: readonly Tab[],
  head: number,
  count: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(tabs.map((tab) => countAfter(tab, head)));
    if (counts.every((c) => c >= count)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The JS heap of a page with no script, served from the same origin: the floor of every tab. */
export async function blankTabHeap(browser: Browser, appUrl: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}bench/pages/blank.html`);
    return await heapUsed(await pageSession(page));
  } finally {
    await context.close();
  }
}
