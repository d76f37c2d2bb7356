// The original analysis's manual test plans, automated: a person's clicks and reads, by roles
// and labels, against the local backend; the backend's metrics and chaos as the outside world.
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { OUTBOX_DATABASE } from '../contract/names.js';
import { signedUpClient } from '../test/support/backend.js';
import { chaos, serverSockets } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import {
  addSong,
  createBand,
  createInvite,
  indicator,
  joinBand,
  openApp as openAppAs,
  openBand,
  songRows,
  toasts,
  type Person,
} from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

const person = (name: string): Promise<Person> => signedUpClient(app.backend, name);
const openApp = (context: BrowserContext, who: Person, query = ''): Promise<Page> =>
  openAppAs(context, app.appUrl, who, query);

/** Test 1 of the analysis: a new band is live at once for everyone, in every tab. */
async function newBandScenario(browser: Browser, phone = false): Promise<void> {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  const contextOptions = phone
    ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
    : {};
  const aContext = await browser.newContext(contextOptions);
  const bContext = await browser.newContext(contextOptions);
  if (phone) {
    // Chrome on Android has no SharedWorker.
    for (const context of [aContext, bContext]) {
      await context.addInitScript(() => delete (window as { SharedWorker?: unknown }).SharedWorker);
    }
  }
  const aTab1 = await openApp(aContext, a);
  const aTab2 = await openApp(aContext, a);
  const bandName = `Band ${Date.now()}`;
  await createBand(aTab1, bandName);
  // The second tab hears of the new band without a reload.
  await expect(aTab2.getByRole('link', { name: bandName })).toBeVisible();
  await openBand(aTab2, bandName);
  const code = await createInvite(aTab1);

  const bTab = await openApp(bContext, b);
  await joinBand(bTab, code, bandName);
  await addSong(bTab, 'Song from B', 'B');
  await expect(songRows(bTab, 'Song from B')).toHaveCount(1);

  for (const tab of [aTab1, aTab2]) await expect(songRows(tab, 'Song from B')).toHaveCount(1);
  await aTab1.screenshot({
    path: `test-results/screenshots/new-band${phone ? '-phone' : ''}.png`,
    fullPage: true,
  });
  await aTab1.getByRole('link', { name: 'Diagnostics' }).click();
  await expect(
    aTab1.getByText(phone ? /Per tab \(this browser has no SharedWorker\)/ : /Shared worker/),
  ).toBeVisible();
  await aTab1.screenshot({
    path: `test-results/screenshots/diagnostics${phone ? '-phone' : ''}.png`,
    fullPage: true,
  });
  await Promise.all([aContext.close(), bContext.close()]);
}

test('new band: A creates it, B joins with the code and adds a song, A sees it in two tabs without refresh', async ({
  browser,
}) => {
  await newBandScenario(browser);
});

test('multi-browser: a song added in one tab shows in every tab of two browsers, with one socket per browser', async ({
  browser,
}) => {
  const a = await person('a');
  const bandId = (await a.client.rpc('create_band', { name: 'Two browsers', description: '' })).data!.id;
  const [laptop, desktop] = await Promise.all([browser.newContext(), browser.newContext()]);
  const tabs: Page[] = [];
  for (const context of [laptop, desktop]) {
    for (let i = 0; i < 3; i++) {
      const page = await openApp(context, a);
      await openBand(page, 'Two browsers');
      tabs.push(page);
    }
  }
  await addSong(tabs[0]!, 'Heard everywhere');
  for (const tab of tabs) await expect(songRows(tab, 'Heard everywhere')).toHaveCount(1);
  const sockets = (await serverSockets(app)).filter((s) => s.userId === a.userId);
  expect(sockets).toHaveLength(2);
  for (const socket of sockets) expect(socket.bandsSubscribed(bandId)).toBe(1);
  await Promise.all([laptop.close(), desktop.close()]);
});

test('resilience: through a blackhole then refused connections, the indicator says so, and nothing is lost', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  const { data: band } = await a.client.rpc('create_band', { name: 'Resilient', description: '' });
  const { data: invite } = await a.client.rpc('create_invite', { band_id: band!.id });
  await b.client.rpc('join_band', { code: invite!.code });
  const context = await browser.newContext();
  const tabs = [await openApp(context, a, '?heartbeat=1000'), await openApp(context, a, '?heartbeat=1000')];
  for (const tab of tabs) await openBand(tab, 'Resilient');
  await expect(indicator(tabs[0]!)).toBeHidden();

  await chaos(app, { action: 'blackhole', ms: 5000 });
  for (const tab of tabs)
    await expect(indicator(tab)).toHaveText(/Reconnecting|Offline/, { timeout: 10_000 });
  await chaos(app, { action: 'refuse', ms: 5000 });
  for (let i = 1; i <= 3; i++) {
    const { error } = await b.client
      .from('songs')
      .insert({ band_id: band!.id, title: `During the outage ${i}` });
    expect(error).toBeNull();
  }
  await tabs[0]!.screenshot({ path: 'test-results/screenshots/reconnecting.png' });
  for (const tab of tabs) {
    await expect(indicator(tab)).toBeHidden({ timeout: 45_000 });
    await expect(toasts(tab)).toContainText('Connection restored');
    await tab.screenshot({ path: 'test-results/screenshots/restored.png' });
    for (let i = 1; i <= 3; i++) await expect(songRows(tab, `During the outage ${i}`)).toHaveCount(1);
  }
  await context.close();
});

test('toast UX: own actions and connection changes toast, others’ changes do not, exhausted retries stay with Retry', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  const { data: band } = await a.client.rpc('create_band', { name: 'Toasts', description: '' });
  const { data: invite } = await a.client.rpc('create_invite', { band_id: band!.id });
  await b.client.rpc('join_band', { code: invite!.code });
  const context = await browser.newContext();
  const page = await openApp(context, a, '?heartbeat=1000&retries=2&backoff=200');
  await openBand(page, 'Toasts');

  await addSong(page, 'Mine');
  await expect(toasts(page)).toContainText('Added “Mine”');

  await b.client.from('songs').insert({ band_id: band!.id, title: 'Theirs' });
  await expect(songRows(page, 'Theirs')).toHaveCount(1);
  await expect(toasts(page)).not.toContainText('Theirs');

  await chaos(app, { action: 'drop', user_id: a.userId });
  await expect(toasts(page)).toContainText('Connection lost');
  await expect(toasts(page)).toContainText('Connection restored', { timeout: 15_000 });

  await chaos(app, { action: 'refuse', ms: 60_000 });
  await chaos(app, { action: 'drop', user_id: a.userId });
  const exhausted = toasts(page).getByRole('alert').filter({ hasText: 'Cannot reach the server' });
  await expect(exhausted).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: 'test-results/screenshots/retries-exhausted.png' });
  await expect(indicator(page)).toContainText('Offline – changes will sync when you reconnect');
  await page.waitForTimeout(6000);
  await expect(exhausted).toBeVisible();
  await chaos(app, { action: 'reset' });
  await exhausted.getByRole('button', { name: 'Retry' }).click();
  await expect(toasts(page)).toContainText('Connection restored', { timeout: 15_000 });
  await expect(indicator(page)).toBeHidden();
  await context.close();
});

test('mobile: on a phone-sized screen without SharedWorker, the app runs per tab and the new-band test passes', async ({
  browser,
}) => {
  await newBandScenario(browser, true);
});

test('songs added one after another on a slow disk are all kept: the form is cleared when a song is taken, not once it is saved', async ({
  browser,
}) => {
  const a = await person('a');
  const { data: band } = await a.client.rpc('create_band', { name: 'Quick hands', description: '' });
  const context = await browser.newContext();
  const page = await openApp(context, a);
  await openBand(page, band!.name);
  // A slow disk: for a few seconds the outbox's IndexedDB is kept busy, so each save waits up to
  // 250 ms, long enough for the next title to be typed meanwhile (as on a cheap phone).
  await page.evaluate((database) => {
    const open = indexedDB.open(database);
    open.onsuccess = () => {
      const db = open.result;
      const until = Date.now() + 4000;
      const hold = (): void => {
        if (Date.now() > until) return db.close();
        const tx = db.transaction(['entries', 'counters'], 'readwrite');
        const counters = tx.objectStore('counters');
        const started = Date.now();
        const spin = (): void => {
          if (Date.now() - started < 250) counters.get('slow disk').onsuccess = spin;
        };
        spin();
        tx.oncomplete = hold;
      };
      hold();
    };
  }, OUTBOX_DATABASE);
  const titles = ['One', 'Two', 'Three', 'Four', 'Five'];
  for (const title of titles) await addSong(page, title);
  for (const title of titles) await expect(songRows(page, title)).toHaveCount(1);
  await expect(page.getByRole('form', { name: 'Add a song' }).getByLabel('Title')).toHaveValue('');
  await expect
    .poll(
      async () => (await a.client.from('songs').select('title').eq('band_id', band!.id).order('title')).data,
    )
    .toEqual(titles.map((title) => ({ title })).sort((x, y) => x.title.localeCompare(y.title)));
  await context.close();
});

test('a song that cannot be queued (no IndexedDB, as in some private windows) stays in the form with the reason', async ({
  browser,
}) => {
  const a = await person('a');
  const { data: band } = await a.client.rpc('create_band', { name: 'Private window', description: '' });
  const context = await browser.newContext();
  await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }));
  const page = await openApp(context, a, '?transport=tab');
  await openBand(page, band!.name);
  await addSong(page, 'Unsaved', 'Someone');
  await expect(toasts(page)).toContainText('no IndexedDB');
  const form = page.getByRole('form', { name: 'Add a song' });
  await expect(form.getByLabel('Title')).toHaveValue('Unsaved');
  await expect(form.getByLabel('Artist')).toHaveValue('Someone');
  await expect(songRows(page, 'Unsaved')).toHaveCount(0);
  // The same for a band.
  await page.getByRole('link', { name: '← Your bands' }).click();
  const create = page.getByRole('form', { name: 'Create a band' });
  await create.getByLabel('Band name').fill('Unsaved band');
  await create.getByRole('button', { name: 'Create band' }).click();
  await expect(toasts(page).filter({ hasText: 'create the band' })).toContainText('no IndexedDB');
  await expect(create.getByLabel('Band name')).toHaveValue('Unsaved band');
  await context.close();
});
