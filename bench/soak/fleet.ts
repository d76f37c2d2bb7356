// The soak's browsers: profiles (browser contexts) of a user, their lab tabs watching the bands,
// and the faults that hit a browser rather than the backend: a killed SharedWorker, a tab closed
// and reopened, a tab whose network goes offline and back.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { RunningApp } from '../../test/support/browser/app.js';
import { closeSharedWorker, contextIdOf } from '../../test/support/browser/cdp.js';
import { openLab, signIn } from '../../test/support/browser/lab.js';
import type { LoggedEvent, TabLog } from './checker.js';

export interface Person {
  email: string;
  password: string;
  userId: string;
}

export type TabMode = 'shared' | 'tab';

export interface SoakTab {
  name: string;
  mode: TabMode;
  page: Page;
  /** Per band: its seq when this tab's watch went live. */
  live: Record<string, number>;
}

export interface Profile {
  name: string;
  person: Person;
  context: BrowserContext;
  contextId: string;
  /** The bands the person is in: every tab watches them all. */
  bands: string[];
  tabs: SoakTab[];
  /** Tabs no longer open, with what they had received when they closed. */
  closed: TabLog[];
  opened: number;
}

const TAB_TIMEOUT_MS = 60_000;

async function until<T>(what: string, attempt: () => Promise<T>, timeoutMs = TAB_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Opens a lab tab, signs in (retried: a fault may be refusing auth) and watches every band. */
export async function openTab(app: RunningApp, profile: Profile, mode: TabMode): Promise<SoakTab> {
  const name = `${profile.name}/${++profile.opened}${mode === 'tab' ? ' (per-tab)' : ''}`;
  const page = await openLab(profile.context, app, { transport: mode, heartbeat: 2000 });
  await until(`${name} signs in`, () => signIn(page, profile.person.email, profile.person.password));
  const live: Record<string, number> = {};
  for (const bandId of profile.bands) {
    live[bandId] = await until(`${name} watches ${bandId}`, () =>
      page.evaluate((b) => window.lab.watch(b), bandId),
    );
  }
  const tab: SoakTab = { name, mode, page, live };
  profile.tabs.push(tab);
  return tab;
}

export async function openProfile(
  browser: Browser,
  app: RunningApp,
  name: string,
  person: Person,
  bands: string[],
  modes: TabMode[],
): Promise<Profile> {
  const context = await browser.newContext();
  const profile: Profile = { name, person, context, contextId: '', bands, tabs: [], closed: [], opened: 0 };
  for (const mode of modes) await openTab(app, profile, mode);
  profile.contextId = await contextIdOf(profile.tabs[0]!.page);
  return profile;
}

type Received = Record<string, [number, string, string, string, string][]>;

/** What a tab has received so far, per band, and events of any other band (a leak). */
export async function tabLog(profile: Profile, tab: SoakTab, open: boolean): Promise<TabLog> {
  const received = await tab.page.evaluate(() => {
    const out: Received = {};
    for (const e of window.lab.events) {
      (out[e.band_id] ??= []).push([
        e.seq,
        e.table_name,
        e.op,
        e.record_id,
        JSON.stringify(e.record ?? e.old_record),
      ]);
    }
    return out;
  });
  const toEvents = (rows: Received[string] = []): LoggedEvent[] =>
    rows.map(([seq, table, op, id, row]) => ({ seq, table, op, id, row }));
  const bands: TabLog['bands'] = {};
  for (const bandId of profile.bands) {
    const events = toEvents(received[bandId]);
    // Events delivered while the watch was settling count from the first one on.
    const first = events[0]?.seq;
    const liveSeq = Math.min(tab.live[bandId]!, first === undefined ? Infinity : first - 1);
    bands[bandId] = { liveSeq, received: events };
  }
  const foreign = Object.entries(received)
    .filter(([bandId]) => !profile.bands.includes(bandId))
    .flatMap(([, rows]) => toEvents(rows));
  return { name: tab.name, open, bands, foreign };
}

/** Closes a tab (keeping what it received for the checker) and opens another in its place. */
export async function reopenTab(app: RunningApp, profile: Profile, index: number): Promise<SoakTab> {
  const tab = profile.tabs[index % profile.tabs.length]!;
  profile.closed.push(await tabLog(profile, tab, false));
  profile.tabs.splice(profile.tabs.indexOf(tab), 1);
  await tab.page.close();
  return openTab(app, profile, tab.mode);
}

export async function killWorker(browser: Browser, profile: Profile): Promise<boolean> {
  return closeSharedWorker(browser, profile.contextId);
}

/** Takes one tab's network away (its `offline` event fires; a per-tab socket breaks); call the answer to give it back. */
export async function takeTabOffline(tab: SoakTab): Promise<() => Promise<void>> {
  const cdp = await tab.page.context().newCDPSession(tab.page);
  const network = (offline: boolean): Promise<unknown> =>
    cdp.send('Network.emulateNetworkConditions', {
      offline,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  await cdp.send('Network.enable');
  await network(true);
  return async () => {
    await network(false);
    await cdp.detach();
  };
}

/** Per open tab and band, the seq it is up to: the last it delivered, or where its watch went live. */
export async function heads(profile: Profile): Promise<Record<string, number>[]> {
  return Promise.all(
    profile.tabs.map((tab) =>
      tab.page.evaluate((live) => {
        const out: Record<string, number> = {};
        for (const [b, seq] of Object.entries(live)) out[b] = Math.max(seq, window.lab.seqs(b).at(-1) ?? 0);
        return out;
      }, tab.live),
    ),
  );
}
