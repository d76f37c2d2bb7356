// Recovery from an outage as the user sees it: which part of the server is out of reach, why
// changes wait, "Sync now", and queued writes landing as soon as REST answers again rather than
// at the end of their backoff. The backend's chaos takes REST and realtime down (Playwright's
// offline mode would not cut a SharedWorker's socket).
import { expect, test, type Page } from '@playwright/test';
import { OUTBOX_DATABASE } from '../contract/names.js';
import { chaos } from '../test/support/admin.js';
import { signedUpClient } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { addSong, indicator, memberOnOwnBand, openApp, songRows } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());
test.afterEach(() => chaos(app, { action: 'reset' }));

/** The longest backoff (first retry anywhere in 0–30 s): an early send can only be the fix's doing. */
const SLOW_BACKOFF = '?heartbeat=1000&backoff=30000';

/** The queued writes as IndexedDB holds them: when each may be retried, and how often it was tried. */
const queued = (page: Page): Promise<{ order: number; notBefore: number; attempts: number }[]> =>
  page.evaluate(
    (database) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const all = open.result.transaction('entries').objectStore('entries').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(all.result as { order: number; notBefore: number; attempts: number }[]);
          };
        };
      }),
    OUTBOX_DATABASE,
  );

/**
 * Waits (REST still down) until the oldest write, tried and failed, waits at least `ms` more;
 * answers its retry time. The queue drains in order: nothing goes before it.
 */
async function backedOff(page: Page, ms: number): Promise<number> {
  let retryAt = 0;
  await expect
    .poll(
      async () => {
        const [oldest] = (await queued(page)).sort((x, y) => x.order - y.order);
        retryAt = oldest?.notBefore ?? 0;
        return (oldest?.attempts ?? 0) > 0 && retryAt - Date.now() > ms;
      },
      { timeout: 90_000 },
    )
    .toBe(true);
  return retryAt;
}

test('REST down, socket up: the pill says the server is unreachable, and the writes land as soon as REST answers, before their backoff ends', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const {
    member: a,
    band,
    context,
    page,
  } = await memberOnOwnBand(browser, app, 'Prompt return', SLOW_BACKOFF);

  await chaos(app, { action: 'refuse', ms: 120_000, scope: 'rest' });
  for (const title of ['Held 1', 'Held 2', 'Held 3']) await addSong(page, title);
  await expect(indicator(page)).toContainText('3 changes waiting to sync: Server unreachable');
  // Live updates still work: only saving is out of reach.
  await expect(indicator(page)).toContainText('Live updates on; the server is not taking changes.');
  await expect(indicator(page)).not.toContainText('Reconnecting');
  await page.screenshot({ path: 'test-results/screenshots/rest-down.png' });

  const retryAt = await backedOff(page, 12_000);
  await chaos(app, { action: 'reset' });
  const landed = async (): Promise<number> =>
    (await a.client.from('songs').select('id').eq('band_id', band.id).like('title', 'Held%')).data?.length ??
    0;
  // Without a probe of the server, nothing would send them before `retryAt`.
  await expect.poll(landed, { timeout: retryAt - Date.now() - 2000 }).toBe(3);
  for (const title of ['Held 1', 'Held 2', 'Held 3'])
    await expect(songRows(page, title)).not.toContainText(/Waiting to sync|Syncing/);
  await expect(indicator(page)).toBeHidden();
  await context.close();
});

for (const transport of ['shared', 'tab'] as const) {
  test(`Sync now sends the queued writes at once instead of at the end of their backoff (${transport})`, async ({
    browser,
  }) => {
    test.setTimeout(150_000);
    const { context, page } = await memberOnOwnBand(
      browser,
      app,
      'Impatient',
      `${SLOW_BACKOFF}&transport=${transport}`,
    );

    await chaos(app, { action: 'refuse', ms: 120_000, scope: 'rest' });
    await addSong(page, 'Now please');
    const syncNow = indicator(page).getByRole('button', { name: 'Sync now' });
    await expect(syncNow).toBeVisible();
    const retryAt = await backedOff(page, 12_000);
    const attempts = async (): Promise<number> =>
      (await queued(page)).reduce((sum, entry) => sum + entry.attempts, 0);
    const before = await attempts();

    // REST is still down: only Sync now can make the outbox try again before `retryAt`.
    await syncNow.click();
    await expect.poll(attempts, { timeout: retryAt - Date.now() - 2000 }).toBeGreaterThan(before);
    await context.close();
  });
}

test('the indicator tells live updates down from saving down from both', async ({ browser }) => {
  const { member: a, context, page } = await memberOnOwnBand(browser, app, 'Which part', '?heartbeat=1000');

  // Both: the socket is dropped and cannot come back, and a write cannot be sent.
  await chaos(app, { action: 'refuse', ms: 60_000, scope: 'all' });
  await chaos(app, { action: 'drop', user_id: a.userId });
  await addSong(page, 'Nowhere to go');
  await expect(indicator(page)).toContainText('Reconnecting…');
  await expect(indicator(page)).toContainText('Server unreachable: live updates paused.');
  await expect(indicator(page)).toContainText('1 change waiting to sync: Server unreachable');
  await page.screenshot({ path: 'test-results/screenshots/both-down.png' });

  // REST back (the write lands), realtime still refused: live updates alone are paused.
  await chaos(app, { action: 'reset' });
  await chaos(app, { action: 'refuse', ms: 60_000, scope: 'realtime' });
  await chaos(app, { action: 'drop', user_id: a.userId });
  await expect(songRows(page, 'Nowhere to go')).not.toContainText(/Waiting to sync|Syncing/, {
    timeout: 20_000,
  });
  await expect(indicator(page)).toContainText('Live updates paused.');
  await expect(indicator(page)).not.toContainText('Server unreachable');
  await expect(indicator(page)).not.toContainText('waiting to sync');
  await context.close();
});

test('the countdown to the next try is true from the moment it shows, after a long time connected', async ({
  browser,
}) => {
  const a = await signedUpClient(app.backend, 'a');
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, a, SLOW_BACKOFF);
  await expect(indicator(page)).toBeHidden();
  // The scenario, not a wait for something: the indicator's clock last moved at least this long ago.
  await page.waitForTimeout(5000);
  // The first frame that shows a countdown, and what the state it renders says is left.
  const first = page.evaluate(
    () =>
      new Promise<{ shown: number; left: number }>((resolve) => {
        const check = (): void => {
          const element = document
            .querySelector('backline-app')
            ?.shadowRoot?.querySelector<Element & { state?: { nextRetryAt: number | null } }>(
              'connection-indicator',
            );
          const shown = /Next try in (\d+) s/.exec(element?.shadowRoot?.textContent ?? '');
          const at = element?.state?.nextRetryAt;
          if (shown && at) resolve({ shown: Number(shown[1]), left: (at - Date.now()) / 1000 });
          else requestAnimationFrame(check);
        };
        check();
      }),
  );
  await chaos(app, { action: 'refuse', ms: 60_000, scope: 'realtime' });
  await chaos(app, { action: 'drop', user_id: a.userId });
  const { shown, left } = await first;
  expect(shown).toBeGreaterThanOrEqual(Math.floor(left));
  expect(shown).toBeLessThanOrEqual(Math.ceil(left) + 1);
  await context.close();
});
