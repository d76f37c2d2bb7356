// The main screens through axe-core, light and dark, at 1280×800 and 390×844: no serious or
// critical violation (colour contrast of text included), and every field's and button's border
// at 3:1 at least against what is behind it (axe has no rule for that). The band list has a band
// waiting to be created; the band page a song waiting to sync and one in conflict.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { chaos } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { addPendingBand, addPendingSong, BAND, look, LOOKS, seedBands, weakBorders } from './support/look.js';
import { openApp, openBand, songRows } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

/** What is wrong on this screen in each look: serious or critical axe violations, weak borders. */
async function problems(page: Page, screen: string): Promise<string[]> {
  const found: string[] = [];
  // axe takes a page without a background for white; paint the canvas (dark in the dark scheme)
  // so it measures text against what is on screen. A page that paints its own hides this.
  await page.addStyleTag({ content: 'html { background-color: Canvas; }' });
  for (const each of LOOKS) {
    await look(page, each);
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
      .analyze();
    for (const violation of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
      const where = violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`);
      found.push(
        `${screen} ${each.name}: ${violation.id} (${violation.impact}) ${where.slice(0, 3).join(' | ')}`,
      );
    }
    for (const weak of await weakBorders(page)) {
      found.push(
        `${screen} ${each.name}: border of ${weak.element} ${weak.border} on ${weak.background} is ${weak.ratio}:1`,
      );
    }
  }
  return found;
}

test('the main screens pass axe and have visible field borders, light and dark, desktop and phone', async ({
  browser,
}) => {
  // Sixteen axe runs (four screens, four looks): more than the default minute on a loaded machine.
  test.setTimeout(180_000);
  const { who, bandmate } = await seedBands(app);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(app.appUrl);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const found = await problems(page, 'sign-in');
  await page.close();

  const tab = await openApp(context, app.appUrl, who);
  await openBand(tab, BAND);
  // A conflict: the song changes on the server while it is being edited here.
  await tab.getByRole('button', { name: 'Edit Superstition' }).click();
  await bandmate.client.from('songs').update({ bpm: 104 }).eq('title', 'Superstition');
  const edit = tab.getByRole('form', { name: 'Edit Superstition' });
  await edit.getByLabel('BPM').fill('98');
  await edit.getByRole('button', { name: 'Save song' }).click();
  await expect(songRows(tab, 'Superstition')).toContainText('Conflict');
  await addPendingSong(app, tab);
  found.push(...(await problems(tab, 'band-page')));
  await chaos(app, { action: 'reset' });

  await tab.goto(`${app.appUrl}#/diagnostics`);
  await expect(tab.getByRole('heading', { name: /^Socket/ })).toBeVisible();
  found.push(...(await problems(tab, 'diagnostics')));

  // Last: once REST is back the band would land and its page open, whenever the backoff allows.
  await tab.getByRole('link', { name: '← Your bands' }).click();
  await expect(tab.getByRole('link', { name: BAND })).toBeVisible();
  await addPendingBand(app, tab, 'Tour bus');
  found.push(...(await problems(tab, 'band-list')));
  await chaos(app, { action: 'reset' });
  await context.close();
  expect(found).toEqual([]);
});
