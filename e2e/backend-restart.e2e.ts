// The local backend killed (SIGKILL, as a crash) and started again on the same data: every tab
// reconnects, catches up from the log and ends equal to the database; writes queued while it was
// down land once, and so does one whose answer the crash may have swallowed.
import { expect, test, type Page } from '@playwright/test';
import { serverSockets } from '../test/support/admin.js';
import { bandWith, logSeqs, signedUpClient, until, type Client } from '../test/support/backend.js';
import { spawnBackend, type BackendProcess } from '../test/support/backend-process.js';
import { serveApp } from '../test/support/browser/app.js';
import { openLab, signIn, waitForSeqs, watch } from '../test/support/browser/lab.js';

let backend: BackendProcess;
let app: { appUrl: string; close(): Promise<void> };
test.beforeAll(async () => {
  backend = await spawnBackend();
  app = await serveApp(backend);
});
test.afterAll(async () => {
  await app?.close();
  await backend?.close();
});

const queueSong = (page: Page, bandId: string, title: string): Promise<void> =>
  page.evaluate(
    async ([b, t]) => {
      await window.lab.backline.write({
        kind: 'song.insert',
        songId: crypto.randomUUID(),
        bandId: b!,
        fields: { title: t! },
      });
    },
    [bandId, title],
  );

async function titles(reader: Client, bandId: string): Promise<string[]> {
  const { data, error } = await reader.from('songs').select('title').eq('band_id', bandId).order('title');
  if (error) throw new Error(error.message);
  return data.map((song) => song.title);
}

test('three tabs through a backend crash and restart: every change once, every queued write once, all equal to the database', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const alice = await signedUpClient(backend, 'alice');
  const bob = await signedUpClient(backend, 'bob');
  const bandId = await bandWith(alice.client, [bob.client]);
  const context = await browser.newContext();
  const pages: Page[] = [];
  for (let i = 0; i < 3; i++) {
    // A quick heartbeat and backoff: the restart is noticed in a second and retried within one.
    const page = await openLab(context, app, { heartbeat: 1000, backoff: 250 });
    await signIn(page, alice.email, alice.password);
    pages.push(page);
  }
  const head = await watch(pages[0]!, bandId);
  await Promise.all(pages.slice(1).map((page) => watch(page, bandId)));
  await bob.client.from('songs').insert({ band_id: bandId, title: 'Before the crash' });
  for (const page of pages) await waitForSeqs(page, bandId, await logSeqs(alice.client, bandId, head));

  // One write sent as the backend dies: it may have committed with its answer lost, or not at all.
  await queueSong(pages[0]!, bandId, 'As it crashed');
  await backend.kill();
  await queueSong(pages[1]!, bandId, 'While it was down 1');
  await queueSong(pages[2]!, bandId, 'While it was down 2');
  await backend.start();
  await bob.client.from('songs').insert({ band_id: bandId, title: 'After the restart' });

  const expected = [
    'After the restart',
    'As it crashed',
    'Before the crash',
    'While it was down 1',
    'While it was down 2',
  ];
  await until(async () => (await titles(alice.client, bandId)).length >= expected.length, 60_000);
  expect(await titles(alice.client, bandId)).toEqual(expected);
  const log = await logSeqs(alice.client, bandId, head);
  for (const page of pages) await waitForSeqs(page, bandId, log, 30_000);
  for (const page of pages) {
    await expect.poll(() => page.evaluate(async () => (await window.lab.backline.outbox()).length)).toBe(0);
    expect(await page.evaluate(() => window.lab.state())).toBe('connected');
  }
  // One socket for the profile after all its retries.
  expect((await serverSockets(backend)).filter((s) => s.userId === alice.userId)).toHaveLength(1);
  await context.close();
});
