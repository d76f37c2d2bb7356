// Driving the lab page (window.lab): for the broker e2e tests and the benchmarks that open it.
import type { BrowserContext, Page } from '@playwright/test';
import type { BacklineClient } from '../../../src/client/index.js';
import type { BandEvent } from '../../../contract/schema.js';
import type { RunningApp } from './app.js';

export interface LabOptions {
  transport?: 'auto' | 'shared' | 'tab';
  storage?: 'local' | 'session';
  heartbeat?: number;
  grace?: number;
  /** Outbox inserts per request. */
  batch?: number;
  /** How often the tab pings its worker (ms; default 2000). */
  ping?: number;
  /** How long a worker just started may take to answer (ms; the client's default 10 s). */
  start?: number;
  /** The first reconnect's backoff ceiling (ms; doubles per attempt). */
  backoff?: number;
}

type Lab = {
  signIn(email: string, password: string): Promise<string>;
  signOut(): Promise<void>;
  watch(bandId: string): Promise<number>;
  unwatch(bandId: string): void;
  mode(): string;
  modeReason(): string;
  user(): string | null | undefined;
  generation(): number;
  repairs(): number;
  state(): string;
  seqs(bandId: string): number[];
  addSong(bandId: string, title: string): Promise<void>;
  createBand(name: string): Promise<string>;
  /** Every band event this tab delivered, in order. */
  events: BandEvent[];
  states: string[];
  notices: string[];
  backline: Pick<BacklineClient, 'bandAdded' | 'diagnostics' | 'write' | 'outbox' | 'retry' | 'on'>;
};

declare global {
  interface Window {
    lab: Lab;
  }
}

export async function openLab(
  context: BrowserContext,
  app: Pick<RunningApp, 'appUrl'>,
  options: LabOptions = {},
): Promise<Page> {
  const query = new URLSearchParams(Object.entries(options).map(([k, v]) => [k, String(v)]));
  const page = await context.newPage();
  await page.goto(`${app.appUrl}lab.html?${query.toString()}`);
  await page.waitForFunction(() => document.body.dataset['ready'] === 'true');
  return page;
}

export const signIn = (page: Page, email: string, password: string): Promise<string> =>
  page.evaluate(([e, p]) => window.lab.signIn(e!, p!), [email, password]);

export const watch = (page: Page, bandId: string): Promise<number> =>
  page.evaluate((b) => window.lab.watch(b), bandId);

export const seqs = (page: Page, bandId: string): Promise<number[]> =>
  page.evaluate((b) => window.lab.seqs(b), bandId);

export const stateOf = (page: Page): Promise<string> => page.evaluate(() => window.lab.state());

/** Waits until the page has received exactly `expected` for the band (in this order). */
export async function waitForSeqs(
  page: Page,
  bandId: string,
  expected: number[],
  timeout = 15_000,
): Promise<void> {
  await page.waitForFunction(
    ([b, want]) => JSON.stringify(window.lab.seqs(b)) === JSON.stringify(want),
    [bandId, expected] as const,
    { timeout },
  );
}
