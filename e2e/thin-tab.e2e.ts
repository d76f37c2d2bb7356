// The thin tab in a real Chromium: a second tab opening a band shows its songs from the worker's
// band cache, with no request of its own, and a profile's five tabs refresh its token once per
// token lifetime, in shared and in per-tab mode (where one page is elected to refresh). The
// backend's tokens live 10 s here; the tabs stay open 35 s (the 20 s and 70 s, halved).
import { expect, test, type BrowserContext } from '@playwright/test';
import { signedUpClient } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { metrics, tokenRefreshes } from '../test/support/admin.js';
import { openLab, signIn } from '../test/support/browser/lab.js';
import { openApp, openBand, songRows } from './support/ui.js';

const TOKEN_SECONDS = 10;
const OPEN_SECONDS = 35;

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp({ accessTokenTtlSeconds: TOKEN_SECONDS });
});
test.afterAll(() => app.close());

/** Every REST path a band's rows can be read from (not band_heads: the heads check's own schedule). */
const BAND_READS = ['/songs', '/bands', '/band_memberships', '/band_events', '/rpc/band_snapshot'];

const bandReads = async (): Promise<number[]> => {
  const paths = (await metrics(app)).http.rest_paths;
  return BAND_READS.map((path) => paths[path] ?? 0);
};

test('a second tab opening a band shows its songs with no REST request of its own', async ({ browser }) => {
  const alice = await signedUpClient(app.backend, 'alice');
  const { data: band } = await alice.client.rpc('create_band', { name: 'Cached', description: '' });
  for (const title of ['First cached', 'Second cached'])
    await alice.client.from('songs').insert({ band_id: band!.id, title });
  const context = await browser.newContext();
  const first = await openApp(context, app.appUrl, alice);
  await openBand(first, 'Cached');
  await expect(songRows(first, 'Second cached')).toBeVisible();
  const before = await bandReads();
  const second = await context.newPage();
  await second.goto(`${app.appUrl}#/band/${band!.id}`);
  await expect(songRows(second, 'First cached')).toBeVisible();
  await expect(songRows(second, 'Second cached')).toBeVisible();
  await expect(second.getByRole('heading', { name: 'Cached' })).toBeVisible();
  expect(await bandReads()).toEqual(before);
  await context.close();
});

test(`five tabs of a profile refresh its token once per lifetime, in shared and in per-tab mode`, async ({
  browser,
}) => {
  const open = async (transport: 'shared' | 'tab'): Promise<{ userId: string; context: BrowserContext }> => {
    const user = await signedUpClient(app.backend, transport);
    const context = await browser.newContext();
    const first = await openLab(context, app, { transport });
    await signIn(first, user.email, user.password);
    for (let i = 1; i < 5; i++) {
      const page = await openLab(context, app, { transport });
      await expect.poll(() => page.evaluate(() => window.lab.user())).toBe(user.userId);
    }
    return { userId: user.userId, context };
  };
  // Both profiles at once: the test takes one stretch of time, not two.
  const profiles = await Promise.all([open('shared'), open('tab')]);
  const startedAt = Date.now();
  const before = await Promise.all(profiles.map(({ userId }) => tokenRefreshes(app, userId)));
  await new Promise((resolve) => setTimeout(resolve, OPEN_SECONDS * 1000 - (Date.now() - startedAt)));
  const after = await Promise.all(profiles.map(({ userId }) => tokenRefreshes(app, userId)));
  // A refresh when a fifth of the token's life is left, so one every 8 s, or down to 7 s since a
  // token's expiry is in whole seconds: 35 s hold 4 or 5 per profile, where a refresh per tab
  // would be some 20.
  const refreshed = after.map((count, i) => count - before[i]!);
  const period = { shortest: TOKEN_SECONDS * 0.8 - 1, longest: TOKEN_SECONDS * 0.8 };
  for (const count of refreshed) {
    expect(count).toBeGreaterThanOrEqual(Math.floor(OPEN_SECONDS / period.longest) - 1);
    expect(count).toBeLessThanOrEqual(Math.ceil(OPEN_SECONDS / period.shortest));
  }
  await Promise.all(profiles.map(({ context }) => context.close()));
});
