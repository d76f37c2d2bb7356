// What a newcomer sees, checked where it used to go wrong: sync states as badges (an icon and a
// word), a new song shown where it was typed, a phone layout that says what each value is and
// never scrolls sideways, touch-sized controls, and long text that wraps and limits that speak.
import { expect, test, type Page } from '@playwright/test';
import { bandWith, signedUpClient } from '../test/support/backend.js';
import { chaos, metrics } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { addPendingBand, BAND, seedBands } from './support/look.js';
import { addSong, openApp, openBand, songRows, toasts } from './support/ui.js';

const PHONE = { viewport: { width: 390, height: 844 } };

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());
test.afterEach(() => chaos(app, { action: 'reset' }));

/** Whether the page scrolls sideways. */
const overflowsSideways = (page: Page): Promise<boolean> =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

test('a new song waits to sync under a badge with an icon and words, first in the list, and stays there', async ({
  browser,
}) => {
  const who = await signedUpClient(app.backend, 'setlist');
  const bandId = await bandWith(who.client, [], 'Long setlist');
  const titles = Array.from({ length: 30 }, (_, i) => `Standard ${String(i + 1).padStart(2, '0')}`);
  await who.client.from('songs').insert(titles.map((title) => ({ title, band_id: bandId })));
  const context = await browser.newContext(PHONE);
  const page = await openApp(context, app.appUrl, who);
  await openBand(page, 'Long setlist');
  await expect(songRows(page, 'Standard 30')).toHaveCount(1);

  await chaos(app, { action: 'refuse', ms: 120_000, scope: 'rest' });
  // Sorted by title it would be last, thirty cards below the form.
  await addSong(page, 'Zanzibar');
  const row = songRows(page, 'Zanzibar');
  const badge = row.locator('.badge');
  await expect(badge).toHaveText('Waiting to sync');
  await expect(badge.locator('svg[aria-hidden="true"]')).toBeVisible();
  await expect(badge).toHaveCSS('border-top-style', 'solid');
  await expect(row).toBeInViewport();

  const before = (await metrics(app)).http;
  await chaos(app, { action: 'reset' });
  await expect(row.locator('.badge'))
    .toHaveCount(0, { timeout: 30_000 })
    .catch(async (error: Error) => {
      // Rare under load and not yet explained: say which side kept the badge.
      const after = (await metrics(app)).http;
      const { data } = await who.client.from('songs').select('id').eq('title', 'Zanzibar');
      throw new Error(
        `${error.message}\nbadge: ${await row.locator('.badge').textContent()}; ` +
          `/songs requests ${before.rest_paths['/songs'] ?? 0} → ${after.rest_paths['/songs'] ?? 0}, ` +
          `refused ${before.refused} → ${after.refused}; in the database: ${data?.length ?? '?'}`,
      );
    });
  await expect(page.getByRole('table', { name: 'Songs' }).getByRole('row').first()).toContainText('Zanzibar');
  await expect(row).toBeInViewport();
  await context.close();
});

test('a band waiting to be created shows a badge with an icon and words', async ({ browser }) => {
  const { who } = await seedBands(app);
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, who);
  await expect(page.getByRole('link', { name: BAND })).toBeVisible();
  const badge = (await addPendingBand(app, page, 'Tour bus')).locator('.badge');
  await expect(badge).toHaveText('Waiting to sync');
  await expect(badge.locator('svg[aria-hidden="true"]')).toBeVisible();
  await context.close();
});

test('on a phone, a 200-character word wraps, cards label their values, and nothing scrolls sideways', async ({
  browser,
}) => {
  const { who } = await seedBands(app);
  const longName = 'Unbroken'.repeat(12).slice(0, 100);
  await bandWith(who.client, [], longName);
  const context = await browser.newContext(PHONE);
  const page = await openApp(context, app.appUrl, who);
  await expect(page.getByRole('link', { name: longName })).toBeVisible();
  expect(await overflowsSideways(page)).toBe(false);

  await openBand(page, BAND);
  const longTitle = 'W'.repeat(200);
  await addSong(page, longTitle);
  await expect(songRows(page, longTitle)).toHaveCount(1);
  await expect(toasts(page)).toContainText(longTitle);
  expect(await overflowsSideways(page)).toBe(false);
  const toast = await toasts(page).locator('.toast').first().boundingBox();
  expect(toast!.x + toast!.width).toBeLessThanOrEqual(390);
  // The header row is hidden on a phone: each value carries its label.
  const superstition = songRows(page, 'Superstition');
  for (const [label, value] of [
    ['Artist', 'Stevie Wonder'],
    ['Key', 'Eb'],
    ['BPM', '100'],
    ['Length', '4:05'],
  ]) {
    await expect(superstition.getByRole('cell', { name: `${label} ${value}`, exact: true })).toBeVisible();
  }

  await page.goto(`${app.appUrl}#/diagnostics`);
  await expect(page.getByRole('heading', { name: /^Socket/ })).toBeVisible();
  expect(await overflowsSideways(page)).toBe(false);
  await context.close();
});

test('on a phone, the header is one row, toasts keep off the title, and controls are 44 px tall', async ({
  browser,
}) => {
  const { who } = await seedBands(app);
  const context = await browser.newContext(PHONE);
  const page = await openApp(context, app.appUrl, who);
  await openBand(page, BAND);
  await addSong(page, 'Cissy strut');
  await expect(toasts(page)).toContainText('Cissy strut');

  const centre = async (selector: string): Promise<number> => {
    const box = (await page.locator(selector).first().boundingBox())!;
    return box.y + box.height / 2;
  };
  const brand = await centre('header .brand');
  for (const item of ['header nav a', 'header nav button'])
    expect(Math.abs((await centre(item)) - brand)).toBeLessThan(8);

  // The toast sits clear of the header (Sign out) and of the band's name.
  const toast = (await toasts(page).locator('.toast').first().boundingBox())!;
  for (const covered of [page.locator('header'), page.getByRole('heading', { name: BAND })]) {
    const box = (await covered.boundingBox())!;
    expect(toast.y >= box.y + box.height || box.y >= toast.y + toast.height).toBe(true);
  }

  const controls = page.locator('button:visible, input:visible');
  const heights = await controls.evaluateAll((elements) =>
    elements.map((element) => ({
      control: `${element.localName} ${element.getAttribute('name') ?? element.textContent?.trim() ?? ''}`,
      height: element.getBoundingClientRect().height,
    })),
  );
  expect(heights.length).toBeGreaterThan(10);
  expect(heights.filter(({ height }) => height < 44)).toEqual([]);
  await context.close();
});

test('the song form counts near its limit and says when a paste was cut', async ({ browser }) => {
  const { who } = await seedBands(app);
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await openApp(context, app.appUrl, who);
  await openBand(page, BAND);
  const form = page.getByRole('form', { name: 'Add a song' });
  const title = form.getByLabel('Title');

  await title.fill('a'.repeat(150));
  await expect(form.getByText(/\/200/)).toHaveCount(0);
  await title.fill('a'.repeat(179));
  await title.press('b');
  const note = form.getByText('180/200');
  await expect(note).toBeVisible();
  await expect(note).toHaveAttribute('aria-live', 'polite');

  await title.fill('');
  await page.evaluate((text) => navigator.clipboard.writeText(text), 'x'.repeat(5000));
  await title.press('ControlOrMeta+V');
  await expect(title).toHaveValue('x'.repeat(200));
  await expect(form.getByText('Pasted text cut to 200 characters')).toBeVisible();

  // A song added clears the form, and its note.
  await form.getByRole('button', { name: 'Add song' }).click();
  await expect(title).toHaveValue('');
  await expect(form.getByText(/\/200/)).toHaveCount(0);
  await context.close();
});
