// A page the user leaves and comes back to with Back: Chromium keeps it whole in the
// back/forward cache and shows it again (pageshow with persisted) instead of loading it anew. A
// cached page is evicted the moment a message reaches it (from the SharedWorker, a port or a
// BroadcastChannel), a lock it holds is wanted or its code would run, so the tab leaves its broker
// at pagehide and registers anew at pageshow. Driven over the DevTools protocol alone
// (bare-chromium.ts): Playwright turns the cache off, and its own scripts get a cached page evicted.
import { expect, test } from '@playwright/test';
import { bandWith, logSeqs, signedUpClient, type Client } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import {
  launchBareChromium,
  type BareChromium,
  type BarePage,
} from '../test/support/browser/bare-chromium.js';

let app: RunningApp;
/** A browser of its own for each test: one profile, one worker, one signed-in user. */
let chromium: BareChromium;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());
test.beforeEach(async () => {
  chromium = await launchBareChromium();
});
test.afterEach(() => chromium.close());

const json = (value: unknown): string => JSON.stringify(value);

async function addSong(writer: Client, bandId: string, title: string): Promise<void> {
  const { error } = await writer.from('songs').insert({ band_id: bandId, title });
  if (error) throw new Error(error.message);
}

/** A lab page signed in as `who`, watching `bandId` (live), and the head seq it started from. */
async function labWatching(
  transport: 'shared' | 'tab',
  who: { email: string; password: string },
  bandId: string,
): Promise<{ page: BarePage; head: number }> {
  const page = await chromium.newPage(`${app.appUrl}lab.html?transport=${transport}&heartbeat=1000`);
  await page.waitFor(`document.body.dataset.ready === 'true'`);
  await page.evaluate(`window.lab.signIn(${json(who.email)}, ${json(who.password)})`);
  const head = await page.evaluate<number>(`window.lab.watch(${json(bandId)})`);
  return { page, head };
}

const seqsOf = (page: BarePage, bandId: string): Promise<number[]> =>
  page.evaluate(`window.lab.seqs(${json(bandId)})`);

/** Waits until the page has exactly the log's seqs for the band, in order. */
const hasExactly = (page: BarePage, bandId: string, seqs: number[], timeoutMs?: number): Promise<void> =>
  page.waitFor(`JSON.stringify(window.lab.seqs(${json(bandId)})) === ${json(json(seqs))}`, timeoutMs);

/** A page of the app's own origin with no script: somewhere to leave to. */
const elsewhere = (): string => `${app.appUrl}favicon.svg`;

for (const transport of ['shared', 'tab'] as const) {
  test(`a page restored from the back/forward cache (${transport}) shows every change made while it was away within 1 s, once, in order`, async () => {
    const alice = await signedUpClient(app.backend, 'alice');
    const bob = await signedUpClient(app.backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const staying = transport === 'shared' ? await labWatching('shared', alice, bandId) : undefined;
    const { page: leaving, head } = await labWatching(transport, alice, bandId);
    await addSong(bob.client, bandId, 'Before');
    const before = await logSeqs(alice.client, bandId, head);
    await hasExactly(leaving, bandId, before);
    await leaving.evaluate(`window.kept = 'the page as it was'`);

    await leaving.goto(elsewhere());
    for (const title of ['Away 1', 'Away 2', 'Away 3']) await addSong(bob.client, bandId, title);
    const log = await logSeqs(alice.client, bandId, head);
    // The tab that stayed hears them live: the band stayed subscribed for it.
    if (staying) await hasExactly(staying.page, bandId, await logSeqs(alice.client, bandId, staying.head));

    expect(await leaving.back()).toEqual({ restored: true });
    expect(await leaving.evaluate('window.kept')).toBe('the page as it was');
    await hasExactly(leaving, bandId, log, 1000);
    // Registered anew: a change made now arrives live, once.
    await addSong(bob.client, bandId, 'After');
    await hasExactly(leaving, bandId, await logSeqs(alice.client, bandId, head));
    expect(await leaving.evaluate(`window.lab.repairs()`)).toBe(0);
  });
}

test('a page goes back into the cache again and again, and each time comes back with what it missed', async () => {
  const alice = await signedUpClient(app.backend, 'alice');
  const bob = await signedUpClient(app.backend, 'bob');
  const bandId = await bandWith(alice.client, [bob.client]);
  const { page, head } = await labWatching('shared', alice, bandId);
  for (let round = 1; round <= 3; round++) {
    await page.goto(elsewhere());
    await addSong(bob.client, bandId, `Away ${round}`);
    expect(await page.back()).toEqual({ restored: true });
    await hasExactly(page, bandId, await logSeqs(alice.client, bandId, head), 1000);
  }
  // Every restore registered the same tab again, never a second one beside it.
  const diagnostics = await page.evaluate<{ tabs: unknown[] }>('window.lab.backline.diagnostics()');
  expect(diagnostics.tabs).toHaveLength(1);
  expect(await seqsOf(page, bandId)).toEqual(await logSeqs(alice.client, bandId, head));
});

test('the app page is kept by the back/forward cache, and shows a band created while it was away', async () => {
  const alice = await signedUpClient(app.backend, 'alice');
  await bandWith(alice.client, [], 'First band');
  const page = await chromium.newPage(app.appUrl);
  const text = (): Promise<string> => page.evaluate(DEEP_TEXT);
  await page.waitFor(`(${DEEP_TEXT}).includes('Sign in')`);
  // Signed in as an app's user would be: the session is the profile's, so the app page has it too.
  const signer = await chromium.newPage(`${app.appUrl}lab.html`);
  await signer.waitFor(`document.body.dataset.ready === 'true'`);
  await signer.evaluate(`window.lab.signIn(${json(alice.email)}, ${json(alice.password)})`);
  await page.waitFor(`(${DEEP_TEXT}).includes('First band')`);

  await page.goto(elsewhere());
  await bandWith(alice.client, [], 'Made while away');
  expect(await page.back()).toEqual({ restored: true });
  await page.waitFor(`(${DEEP_TEXT}).includes('Made while away')`);
  expect(await text()).toContain('First band');
});

/** The page's text, shadow roots included (the app's components render into theirs). */
const DEEP_TEXT = `(() => {
  const walk = (node) => {
    let text = node.shadowRoot ? walk(node.shadowRoot) : '';
    for (const child of node.childNodes) text += child.nodeType === Node.TEXT_NODE ? child.textContent : walk(child);
    return text;
  };
  return walk(document.body);
})()`;
