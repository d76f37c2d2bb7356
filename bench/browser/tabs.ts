// A browser profile of one mode and its tabs: every tab starts signed in as a returning user (the
// reader's session is already in localStorage for the supabase-js pages; the lab page's first tab
// signs in through the broker, the others find the profile signed in), opens the band, shows its
// songs and reports through `window.benchProbe` (bench/pages/probe.ts; on the lab page an init
// script installs it).
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import type { Session } from '@supabase/supabase-js';
import { HOP_MEASURE } from '../../contract/names.js';
import type { Probe, SongsSource } from '../pages/probe.js';
import { heapUsed, pageSession } from '../../test/support/browser/cdp.js';
import { BENCH_PASSWORD, type BenchBackend, type BenchBand } from './backend.js';
import { pagePath, type Mode } from './modes.js';

export interface Tab {
  page: Page;
  cdp: CDPSession;
}

/** Where a REST read goes and the token it carries. */
export interface RestAccess {
  url: string;
  anonKey: string;
  accessToken: string;
}

/** What a profile's tabs start with. */
export interface ProfileSeed {
  bandId: string;
  /** The reader's session, in localStorage for the supabase-js pages. */
  session: Session;
  /** The lab page signs in through the broker with these when the profile is not signed in yet. */
  email: string;
  password: string;
  /**
   * Until the broker's watch answer carries the band's rows, the lab page reads the songs over REST
   * with this token (the lab page holds none of its own); null: it does not read them then.
   */
  labRest: RestAccess | null;
}

/** The seed of a profile of the band's reader; `labRest` false: the lab page does not read songs over REST. */
export function readerSeed(
  backend: BenchBackend,
  band: BenchBand,
  { session = band.reader.session, labRest = true }: { session?: Session; labRest?: boolean } = {},
): ProfileSeed {
  return {
    bandId: band.bandId,
    session,
    email: band.reader.email,
    password: BENCH_PASSWORD,
    labRest: labRest
      ? { url: backend.url, anonKey: backend.anonKey, accessToken: session.access_token }
      : null,
  };
}

type LabSeed = Pick<ProfileSeed, 'bandId' | 'email' | 'password' | 'labRest'>;

interface LabLike {
  backline: {
    on(type: 'band:event', handler: (event: { seq: number; at: string }) => void): () => void;
    on(type: 'auth:changed', handler: (change: { user: unknown }) => void): () => void;
    currentUser: unknown;
  };
  signIn(email: string, password: string): Promise<string>;
  watch(bandId: string): Promise<number>;
  watchedSongs(bandId: string): string[] | null;
}

/**
 * Runs in the lab page before its module: records band events, signs the profile in if it is not
 * yet, watches the band once `window.lab` exists, then shows its songs as a list like
 * bench/pages/song-list.ts's (inlined: init scripts cannot import): from the watch answer's rows
 * when the broker sends them, else read over REST once live.
 */
function labProbe({ bandId, email, password, labRest }: LabSeed): void {
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
  const signedInUser = (value: LabLike): Promise<unknown> =>
    value.backline.currentUser !== undefined
      ? Promise.resolve(value.backline.currentUser)
      : new Promise((resolve) => {
          const stop = value.backline.on('auth:changed', ({ user }) => {
            stop();
            resolve(user);
          });
        });
  const readSongs = async (rest: RestAccess): Promise<string[]> => {
    const response = await fetch(`${rest.url}/rest/v1/songs?select=*&band_id=eq.${bandId}`, {
      headers: { apikey: rest.anonKey, Authorization: `Bearer ${rest.accessToken}` },
    });
    if (!response.ok) throw new Error(`songs: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { title: string }[]).map((song) => song.title);
  };
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
        if (!(await signedInUser(value))) await value.signIn(email, password);
        await value.watch(bandId);
        probe.liveAt = performance.now();
        const fromWatch = value.watchedSongs(bandId);
        if (!fromWatch && !labRest) return;
        const titles = fromWatch ?? (await readSongs(labRest!));
        const list = document.createElement('ol');
        list.dataset['songs'] = '';
        list.append(
          ...titles.map((title) => Object.assign(document.createElement('li'), { textContent: title })),
        );
        document.body.append(list);
        probe.songsAt = performance.now();
        probe.songsShown = list.childElementCount;
        probe.songsSource = fromWatch ? 'watch' : 'rest';
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
  seed: ProfileSeed,
): Promise<BrowserContext> {
  const context = await browser.newContext();
  // auth-js's default key for a project at 127.0.0.1: supabase-js and the app's client share it.
  const key = `sb-${new URL(appUrl).hostname.split('.')[0]}-auth-token`;
  // As source text: tsx (esbuild keepNames) wraps functions in a `__name` helper the page lacks.
  const script = (fn: (arg: never) => void, arg: unknown): string =>
    `var __name = (f) => f; (${fn.toString()})(${JSON.stringify(arg)});`;
  await context.addInitScript({ content: script(seedSession, [key, JSON.stringify(seed.session)]) });
  const { bandId, email, password, labRest } = seed;
  await context.addInitScript({ content: script(labProbe, { bandId, email, password, labRest }) });
  return context;
}

/** What a tab waits for before it counts as open: its band live, or live with its songs on screen. */
export type TabReady = 'live' | 'songs';

export async function openTab(
  context: BrowserContext,
  appUrl: string,
  mode: Mode,
  bandId: string,
  { ready = 'songs', timeoutMs = 30_000 }: { ready?: TabReady; timeoutMs?: number } = {},
): Promise<Tab> {
  const page = await context.newPage();
  const cdp = await pageSession(page);
  await page.goto(`${appUrl}${pagePath(mode, bandId)}`);
  await untilReady(page, mode, ready, timeoutMs);
  return { page, cdp };
}

/** Waits until the page is `ready`; throws what the page reported instead. */
export async function untilReady(page: Page, mode: Mode, ready: TabReady, timeoutMs: number): Promise<void> {
  try {
    await page.waitForFunction(
      (songs) =>
        window.benchProbe !== undefined &&
        ((window.benchProbe.liveAt !== null && (!songs || window.benchProbe.songsAt !== null)) ||
          window.benchProbe.error !== null),
      ready === 'songs',
      { timeout: timeoutMs, polling: 20 },
    );
  } catch (error) {
    // Say which mode and how far the page got: with many profiles at once the stack tells neither.
    const probe = await page.evaluate(() => window.benchProbe).catch(() => undefined);
    const lab = await page
      .evaluate(() => (window as unknown as { lab?: { notices: string[]; states: string[] } }).lab)
      .then((lab) => lab && { notices: lab.notices, states: lab.states })
      .catch(() => undefined);
    const seen = JSON.stringify({ ...probe, received: probe?.received.length, lab });
    throw new Error(`${mode} tab not ${ready} within ${timeoutMs} ms: ${seen}`, { cause: error });
  }
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

/** Forgets the tab's recorded hops, so the next read has only what follows. */
export const clearHops = (tab: Tab): Promise<void> =>
  tab.page.evaluate((name) => performance.clearMeasures(name), HOP_MEASURE);

/** The tab's recorded hops (ms) since the last clearHops. */
export const hops = (tab: Tab): Promise<number[]> =>
  tab.page.evaluate((name) => performance.getEntriesByName(name).map((entry) => entry.duration), HOP_MEASURE);

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
