// The faults a browser adds on its own, in a real Chromium against the local backend: a shared
// worker that restarts with empty state while its tabs keep their ports (WebKit does so), and
// frozen tabs (Chrome freezes hidden tabs under Energy Saver or memory pressure). The backend
// closes a socket silent for IDLE_MS, as Supabase's does after 60 s, so a freeze can outlast it.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { bandWith, logSeqs, signedUpClient, type Client } from '../test/support/backend.js';
import { contextIdOf, forgetSharedWorker, freeze } from '../test/support/browser/cdp.js';
import { FREE_PLAN_QUOTAS } from '../server/config.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { chaos, serverSockets } from '../test/support/admin.js';
import { openLab, signIn, waitForSeqs, watch, type LabOptions } from '../test/support/browser/lab.js';

const IDLE_MS = 4000;
/** Every tab here beats once a second: well inside the idle timeout, and quick to notice a stall. */
const HEARTBEAT = { heartbeat: 1000 } as const;

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp({ realtime: { ...FREE_PLAN_QUOTAS, idleTimeoutMs: IDLE_MS } });
});
test.afterAll(() => app.close());

async function addSong(writer: Client, bandId: string, title: string): Promise<void> {
  const { error } = await writer.from('songs').insert({ band_id: bandId, title });
  if (error) throw new Error(error.message);
}

const instanceOf = (page: Page): Promise<string> =>
  page.evaluate(async () => (await window.lab.backline.diagnostics()).instance);

test('a worker that forgets everything behind its tabs’ ports gets every tab back: watches, the call in flight, every event once', async ({
  browser,
}) => {
  const alice = await signedUpClient(app.backend, 'alice');
  const bob = await signedUpClient(app.backend, 'bob');
  const [bandA, bandB] = [
    await bandWith(alice.client, [bob.client]),
    await bandWith(alice.client, [bob.client]),
  ];
  const context = await browser.newContext();
  const pages: Page[] = [];
  for (let i = 0; i < 2; i++) {
    // The quick heartbeat: a join swallowed by the stalled link is retried within 2 s, not 10.
    const page = await openLab(context, app, HEARTBEAT);
    await signIn(page, alice.email, alice.password);
    pages.push(page);
  }
  const [first, second] = pages as [Page, Page];
  const head = await watch(first, bandA);
  await watch(second, bandA);
  await addSong(bob.client, bandA, 'Before');
  for (const page of pages) await waitForSeqs(page, bandA, await logSeqs(alice.client, bandA, head));
  const before = await instanceOf(first);

  // A watch in flight when the worker forgets: its socket is stalled, so the join waits.
  await chaos(app, { action: 'blackhole', ms: 2000 });
  const watching = first.evaluate((b) => window.lab.watch(b), bandB);
  await forgetSharedWorker(browser, await contextIdOf(first));
  await addSong(bob.client, bandA, 'While forgotten');
  await addSong(bob.client, bandA, 'While forgotten too');

  const headB = await watching;
  for (const page of pages) await waitForSeqs(page, bandA, await logSeqs(alice.client, bandA, head));
  await addSong(bob.client, bandB, 'On the band watched across it');
  await waitForSeqs(first, bandB, await logSeqs(alice.client, bandB, headB));

  expect(await instanceOf(first)).not.toBe(before);
  expect(await Promise.all(pages.map((page) => page.evaluate(() => window.lab.repairs())))).toEqual([1, 1]);
  const diagnostics = await first.evaluate(() => window.lab.backline.diagnostics());
  expect(diagnostics.tabs.map((tab) => tab.bands.sort())).toEqual(
    expect.arrayContaining([[bandA], [bandA, bandB].sort()]),
  );
  // The forgotten broker's socket went with it: one socket, one subscription per band. Polled:
  // a heartbeat missed on a busy machine may have the one socket between attempts just now.
  await expect
    .poll(async () => {
      const sockets = (await serverSockets(app)).filter((s) => s.userId === alice.userId);
      return sockets.map((socket) => [socket.bandsSubscribed(bandA), socket.bandsSubscribed(bandB)]);
    })
    .toEqual([[1, 1]]);
  await context.close();
});

/** Alice and Bob in a band, and `count` tabs of Alice's (one browser profile) watching it. */
async function bandTabs(browser: Browser, count: number, options: LabOptions) {
  const alice = await signedUpClient(app.backend, 'alice');
  const bob = await signedUpClient(app.backend, 'bob');
  const bandId = await bandWith(alice.client, [bob.client]);
  const context = await browser.newContext();
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await openLab(context, app, { ...HEARTBEAT, ...options });
    await signIn(page, alice.email, alice.password);
    pages.push(page);
  }
  const head = await watch(pages[0]!, bandId);
  for (const page of pages.slice(1)) await watch(page, bandId);
  return { alice, bob, bandId, context, pages, head };
}

/** Alice's sockets at the server, by id. */
const socketsOf = async (userId: string): Promise<string[]> =>
  (await serverSockets(app)).filter((s) => s.userId === userId).map((s) => s.id);

for (const transport of ['shared', 'tab'] as const) {
  test(`a frozen tab (${transport}) shows every change made while it slept within 1 s of waking, once, in order`, async ({
    browser,
  }) => {
    const { alice, bob, bandId, context, pages, head } = await bandTabs(browser, 2, {
      transport,
      grace: 300,
    });
    const [awake, sleeper] = pages as [Page, Page];
    const freezer = await freeze(sleeper);
    for (const title of ['Asleep 1', 'Asleep 2', 'Asleep 3']) await addSong(bob.client, bandId, title);
    const log = await logSeqs(alice.client, bandId, head);
    await waitForSeqs(awake, bandId, log);
    if (transport === 'shared') {
      // Its lock is held while frozen: past the grace period the worker still counts its watch.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { tabs } = await awake.evaluate(() => window.lab.backline.diagnostics());
      expect(tabs.filter((tab) => tab.bands.includes(bandId))).toHaveLength(2);
    }
    await freezer.wake();
    await waitForSeqs(sleeper, bandId, log, 1000);
    await context.close();
  });
}

test('a tab frozen longer than the server’s idle timeout (per tab) finds its socket closed, reconnects and catches up', async ({
  browser,
}) => {
  const { alice, bob, bandId, context, pages, head } = await bandTabs(browser, 1, {
    transport: 'tab',
    backoff: 250,
  });
  const [sleeper] = pages as [Page];
  const freezer = await freeze(sleeper);
  // Its heartbeats stop with its timers: the server closes the silent socket.
  await expect.poll(() => socketsOf(alice.userId), { timeout: IDLE_MS + 5000 }).toEqual([]);
  await addSong(bob.client, bandId, 'While its socket was gone');
  await freezer.wake();
  await waitForSeqs(sleeper, bandId, await logSeqs(alice.client, bandId, head));
  await expect.poll(() => socketsOf(alice.userId)).toHaveLength(1);
  await context.close();
});

test('the worker’s heartbeat needs no tab’s timers: with its only tab frozen past the idle timeout, the socket stays', async ({
  browser,
}) => {
  const { alice, bob, bandId, context, pages, head } = await bandTabs(browser, 1, { transport: 'shared' });
  const [sleeper] = pages as [Page];
  const [socket] = await socketsOf(alice.userId);
  const freezer = await freeze(sleeper);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1500));
  await addSong(bob.client, bandId, 'Heard by the worker all along');
  expect(await socketsOf(alice.userId)).toEqual([socket]);
  await freezer.wake();
  await waitForSeqs(sleeper, bandId, await logSeqs(alice.client, bandId, head), 1000);
  await context.close();
});
