// The faults a browser adds on its own, in a real Chromium against the local backend: a shared
// worker that restarts with empty state while its tabs keep their ports (WebKit does so).
import { expect, test, type Page } from '@playwright/test';
import { bandWith, logSeqs, signedUpClient, type Client } from '../test/support/backend.js';
import { contextIdOf, forgetSharedWorker } from '../test/support/browser/cdp.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { chaos, serverSockets } from '../test/support/admin.js';
import { openLab, signIn, waitForSeqs, watch } from '../test/support/browser/lab.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
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
    // A quick heartbeat: a join swallowed by the stalled link is retried within 2 s, not 10.
    const page = await openLab(context, app, { heartbeat: 1000 });
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
