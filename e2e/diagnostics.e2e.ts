// The diagnostics page as support uses it: it opens cleanly the first time, says what holds now
// (not an error the socket recovered from), names bands and this tab, charts a whole time window,
// and copies a report that carries no token.
import { expect, test, type Page } from '@playwright/test';
import { chaos } from '../test/support/admin.js';
import { signedUpClient } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { indicator, openApp, openBand } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

const JWT_LIKE = /eyJ[\w-]*\.[\w-]+\.[\w-]*/;

/** The chart's x scale, in seconds: uPlot draws on a canvas, so its ticks are read from its scale. */
const xRange = (page: Page): Promise<number | undefined> =>
  page.evaluate(() => {
    type Chart = { scales: { x: { min?: number; max?: number } } };
    const diagnostics = document
      .querySelector('backline-app')
      ?.shadowRoot?.querySelector<Element & { chart?: Chart }>('diagnostics-page');
    const x = diagnostics?.chart?.scales.x;
    return x?.min === undefined || x.max === undefined ? undefined : x.max - x.min;
  });

test('diagnostics opens cleanly the first time, names bands and this tab, and copies a report without tokens', async ({
  browser,
}) => {
  const a = await signedUpClient(app.backend, 'a');
  const { data: band } = await a.client.rpc('create_band', { name: 'Diagnosed', description: '' });
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const other = await openApp(context, app.appUrl, a, '?heartbeat=1000');
  await openBand(other, band!.name);
  const page = await openApp(context, app.appUrl, a, '?heartbeat=1000');
  await openBand(page, band!.name);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));

  // An outage the socket recovers from: its error is history, not the state.
  await chaos(app, { action: 'drop', user_id: a.userId });
  await expect(indicator(page)).toContainText('Reconnecting');
  await expect(indicator(page)).toBeHidden({ timeout: 20_000 });

  await page.getByRole('link', { name: 'Diagnostics' }).click();
  const socket = page.getByRole('region', { name: `Socket of ${a.userId}` });
  await expect(socket.getByRole('heading', { name: 'Socket: connected' })).toBeVisible();
  expect(errors).toEqual([]);
  await expect(socket).not.toContainText('last error');
  await expect(socket.getByRole('table')).toContainText('Diagnosed');
  const tabs = page.getByRole('list', { name: 'Tabs' }).getByRole('listitem');
  await expect(tabs).toHaveCount(2);
  await expect(tabs.filter({ hasText: '(this tab)' })).toHaveCount(1);
  // This tab left the band page for this one; the other tab still shows the band.
  await expect(tabs.filter({ hasNotText: '(this tab)' })).toContainText('Diagnosed');
  // From the first sample on, the x axis spans the whole two-minute window, not a few ms.
  await expect.poll(() => xRange(page)).toBe(120);
  await page.screenshot({ path: 'test-results/screenshots/diagnostics-report.png', fullPage: true });

  await page.getByRole('button', { name: 'Copy diagnostics' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const report = JSON.parse(copied) as { thisTab: string; bandNames: Record<string, string> };
  expect(report.bandNames[band!.id]).toBe('Diagnosed');
  expect(report.thisTab).toMatch(/^tab-/);
  expect(copied).not.toMatch(JWT_LIKE);
  expect(errors).toEqual([]);
  await context.close();
});
