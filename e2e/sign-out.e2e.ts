// Signing out as the user meets it: with changes the server does not have yet, the app asks first
// and says truly what becomes of them (they stay queued on this device); a tab signed out from
// another tab says so and keeps what was typed in it until the user leaves the page.
import { expect, test } from '@playwright/test';
import { chaos } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { addSong, memberOnOwnBand, openApp, songRows } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());
test.afterEach(() => chaos(app, { action: 'reset' }));

test('signing out with unsent changes asks first, in the page, and the changes do stay until the next sign-in', async ({
  browser,
}) => {
  const { member: a, band, context, page } = await memberOnOwnBand(browser, app, 'Unsent');
  // Nothing to lose: no question.
  const signOut = page.getByRole('button', { name: 'Sign out' });
  const dialog = page.getByRole('dialog', { name: 'Sign out with unsent changes?' });

  await chaos(app, { action: 'refuse', ms: 60_000, scope: 'all' });
  await chaos(app, { action: 'drop', user_id: a.userId });
  await addSong(page, 'Not on the server');
  await expect(songRows(page, 'Not on the server')).toContainText('Waiting to sync');
  let nativeDialogs = 0;
  page.on('dialog', (native) => {
    nativeDialogs++;
    void native.dismiss();
  });

  await signOut.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(
    '1 change is not saved to the server yet. It stays on this device and is sent when you sign in again here',
  );
  // The choice that loses nothing has the focus; Escape keeps the user signed in.
  await expect(dialog.getByRole('button', { name: 'Stay signed in' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(songRows(page, 'Not on the server')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/sign-out-asked.png' });

  await signOut.click();
  await dialog.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(nativeDialogs).toBe(0);

  // What the dialog said: the change waited on this device and goes at the next sign-in.
  await chaos(app, { action: 'reset' });
  await openApp(context, app.appUrl, a);
  await expect
    .poll(async () => (await a.client.from('songs').select('title').eq('band_id', band.id)).data, {
      timeout: 20_000,
    })
    .toEqual([{ title: 'Not on the server' }]);
  await context.close();
});

test('a tab signed out in another tab says why and keeps what was typed until the user leaves', async ({
  browser,
}) => {
  const { member: a, context, page: typing } = await memberOnOwnBand(browser, app, 'Half typed');
  const form = typing.getByRole('form', { name: 'Add a song' });
  await form.getByLabel('Title').fill('A song I was still writ');
  const other = await openApp(context, app.appUrl, a);

  // Nothing unsent: the other tab signs out at once.
  await other.getByRole('button', { name: 'Sign out' }).click();
  await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(other.getByText('You were signed out in another tab')).toHaveCount(0);

  const notice = typing.getByRole('alert').filter({ hasText: 'You were signed out in another tab.' });
  await expect(notice).toBeVisible();
  await expect(form.getByLabel('Title')).toHaveValue('A song I was still writ');
  await typing.screenshot({ path: 'test-results/screenshots/signed-out-elsewhere.png' });

  // Leaving the page: the sign-in page, which still says why.
  await notice.getByRole('button', { name: 'Sign in again' }).click();
  await expect(typing.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(
    typing.getByRole('status').filter({ hasText: 'You were signed out in another tab.' }),
  ).toBeVisible();
  await context.close();
});

test('a page kept after a sign-out elsewhere is live again once the user signs in again in the other tab', async ({
  browser,
}) => {
  const { member: a, band, context, page: kept } = await memberOnOwnBand(browser, app, 'Back again');
  const other = await openApp(context, app.appUrl, a);
  await other.getByRole('button', { name: 'Sign out' }).click();
  await expect(kept.getByText('You were signed out in another tab.')).toBeVisible();

  await other.getByLabel('Email').fill(a.email);
  await other.getByLabel('Password').fill(a.password);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(kept.getByText('You were signed out in another tab.')).toBeHidden();

  // Watched again, with the new session: another device's song arrives live.
  expect(
    (await a.client.from('songs').insert({ band_id: band.id, title: 'After the return' })).error,
  ).toBeNull();
  await expect(songRows(kept, 'After the return')).toHaveCount(1);
  await context.close();
});
