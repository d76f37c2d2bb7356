// Screenshots of the band list, a band page (with one song waiting to sync) and diagnostics, light
// and dark, at 1280×800 and 390×844, in test-results/screenshots/: for people to look at, not
// compared. One app, one tab: the tab changes scheme and size between shots.
import { expect, test, type Page } from '@playwright/test';
import { chaos } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { addPendingSong, BAND, look, LOOKS, seedBands } from './support/look.js';
import { openApp, openBand, songRows } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

async function shoot(page: Page, screen: string): Promise<void> {
  for (const each of LOOKS) {
    await look(page, each);
    await page.screenshot({ path: `test-results/screenshots/${screen}-${each.name}.png`, fullPage: true });
  }
}

test('screenshots of the main screens, light and dark, desktop and phone', async ({ browser }) => {
  const { who } = await seedBands(app);
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, who);
  await expect(page.getByRole('link', { name: BAND })).toBeVisible();
  await shoot(page, 'band-list');

  await openBand(page, BAND);
  await expect(songRows(page, 'Tighten up')).toHaveCount(1);
  await addPendingSong(app, page);
  await shoot(page, 'band-page');

  await page.goto(`${app.appUrl}#/diagnostics`);
  await expect(page.getByRole('heading', { name: 'Diagnostics' })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Socket/ })).toBeVisible();
  await shoot(page, 'diagnostics');
  await chaos(app, { action: 'reset' });
  await context.close();
});
