// What a newcomer sees after `npm start`: sign in as a demo user, open the demo band, see its songs.
import { expect, test } from '@playwright/test';
import { DEMO_PASSWORD } from '../server/demo-seed.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

test('a demo user signs in, opens the demo band and sees its twelve songs', async ({ page }) => {
  await page.goto(app.appUrl);
  await page.getByLabel('Email').fill('bob@example.com');
  await page.screenshot({ path: 'test-results/screenshots/sign-in.png' });
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'The Backliners' }).click();
  const songs = page.getByRole('table', { name: 'Songs' });
  await expect(songs.getByRole('row')).toHaveCount(13);
  await expect(songs.getByRole('row', { name: /Waterloo Sunset.*The Kinks.*E.*115.*3:15/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/band-page.png', fullPage: true });
});

test('a wrong password gets a clear message and no data', async ({ page }) => {
  await page.goto(app.appUrl);
  await page.getByLabel('Email').fill('alice@example.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid login credentials');
  await expect(page.getByRole('link', { name: 'The Backliners' })).toHaveCount(0);
});
