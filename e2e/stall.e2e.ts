// A change lost in a short stall (issue 15, item 1): the socket's frames are dropped for 6 s, as a
// lossy path or a server that drops messages would (Supabase does not promise delivery), while
// another member adds a song. Nothing changes afterwards, so no later seq can reveal the gap: the
// broker has to notice by itself, within its heads-check interval, with the app's default settings.
import { expect, test } from '@playwright/test';
import { bandWith, signedUpClient } from '../test/support/backend.js';
import { chaos, metrics } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { HEADS_CHECK_PERIOD_MS } from '../worker/core/heads-schedule.js';
import { openApp, openBand, songRows } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

/** Frames the user's one socket has sent the server; an idle socket sends only heartbeats. */
async function framesFrom(userId: string): Promise<number | undefined> {
  const sockets = (await metrics(app)).sockets.filter((socket) => socket.user_id === userId);
  return sockets.length === 1 ? sockets[0]!.messages_in : undefined;
}

const blackholeInForce = async (): Promise<boolean> => (await metrics(app)).chaos.blackholeUntil > 0;

test('a song another member adds during a 6-s blackhole appears with no later change', async ({
  browser,
}) => {
  // Up to a heartbeat to line up, the blackhole, then the heads-check interval.
  test.setTimeout(120_000);
  const [a, b] = await Promise.all([signedUpClient(app.backend, 'a'), signedUpClient(app.backend, 'b')]);
  const bandName = `Stall ${Date.now()}`;
  const bandId = await bandWith(a.client, [b.client], bandName);
  const context = await browser.newContext();
  const tab = await openApp(context, app.appUrl, a);
  await openBand(tab, bandName);
  expect(
    (await b.client.from('songs').insert({ band_id: bandId, title: 'Before the stall' })).error,
  ).toBeNull();
  await expect(songRows(tab, 'Before the stall')).toHaveCount(1);

  // Start right after the socket was heard from (a heartbeat): the worst moment, with its next
  // heartbeat as far away as it gets.
  const heard = await framesFrom(a.userId);
  await expect.poll(() => framesFrom(a.userId), { intervals: [20], timeout: 60_000 }).not.toBe(heard);
  await chaos(app, { action: 'blackhole', ms: 6000 });
  expect(
    (await b.client.from('songs').insert({ band_id: bandId, title: 'During the stall' })).error,
  ).toBeNull();
  // The song was committed while the socket's frames were still being dropped.
  expect(await blackholeInForce()).toBe(true);
  await expect.poll(blackholeInForce, { intervals: [100], timeout: 10_000 }).toBe(false);

  await expect(songRows(tab, 'During the stall')).toHaveCount(1, {
    timeout: HEADS_CHECK_PERIOD_MS + 10_000,
  });
  await context.close();
});
