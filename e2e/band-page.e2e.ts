// What a band expects on its page (issue 15, items 8, 11, 13, 14): editing a song in its row by
// keyboard, the members and who changed what, invites an admin can copy, see and revoke, a
// mistyped code said once in the join form, and a song list that sorts and searches.
import { expect, test, type Page } from '@playwright/test';
import { signedUpClient } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { createInvite, openApp, openBand, songRows, toasts, type Person } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

const person = (name: string): Promise<Person> => signedUpClient(app.backend, name);

/** A band of `owner`'s with the songs given, straight through the API (one batch names every column). */
async function bandWithSongs(
  owner: Person,
  name: string,
  songs: { title: string; artist?: string; key?: string; bpm?: number; notes?: string }[],
): Promise<string> {
  const { data: band, error } = await owner.client.rpc('create_band', { name, description: '' });
  if (error) throw new Error(error.message);
  const inserted = await owner.client
    .from('songs')
    .insert(
      songs.map((song) => ({ band_id: band.id, artist: '', key: null, bpm: null, notes: '', ...song })),
    );
  if (inserted.error) throw new Error(inserted.error.message);
  return band.id;
}

const songTitles = (page: Page): Promise<string[]> =>
  page.getByRole('table', { name: 'Songs' }).locator('tbody .song-title').allTextContents();

test('edit in place: the form opens in the song’s row, in view and focused; Escape cancels and focus returns to Edit', async ({
  browser,
}) => {
  const a = await person('a');
  const titles = Array.from({ length: 40 }, (_, i) => `Song ${String(i + 1).padStart(2, '0')}`);
  const bandName = 'Long setlist';
  await bandWithSongs(
    a,
    bandName,
    titles.map((title) => ({ title })),
  );
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await openApp(context, app.appUrl, a);
  await openBand(page, bandName);
  await expect(songRows(page, 'Song 38')).toHaveCount(1);

  const edit = page.getByRole('button', { name: 'Edit Song 38' });
  await edit.click();
  const form = page.getByRole('table', { name: 'Songs' }).getByRole('form', { name: 'Edit Song 38' });
  await expect(form.getByRole('heading', { name: 'Editing “Song 38”' })).toBeInViewport();
  await expect(form.getByLabel('Title')).toBeFocused();
  await page.screenshot({ path: 'test-results/screenshots/band-page-edit-phone.png' });
  await page.keyboard.press('Escape');
  await expect(form).toHaveCount(0);
  await expect(edit).toBeFocused();

  // By keyboard alone: Enter on Edit, type, Enter saves; focus comes back to the row.
  await page.keyboard.press('Enter');
  await expect(form.getByLabel('Title')).toBeFocused();
  await form.getByLabel('BPM').fill('132');
  await form.getByLabel('BPM').press('Enter');
  await expect(form).toHaveCount(0);
  await expect(songRows(page, 'Song 38').getByRole('cell', { name: '132' })).toBeVisible();
  await expect(edit).toBeFocused();
  await context.close();
});

test('members: the list shows who is in the band, a join or leave is said in a quiet status line (no toast), and songs say who changed them and when', async ({
  browser,
}) => {
  const a = await person('alice');
  const bandName = 'Named band';
  const bandId = await bandWithSongs(a, bandName, [{ title: 'Waterloo Sunset' }]);
  const { data: invite } = await a.client.rpc('create_invite', { band_id: bandId });
  const aContext = await browser.newContext();
  const aPage = await openApp(aContext, app.appUrl, a);
  await openBand(aPage, bandName);
  const members = aPage.getByRole('list', { name: 'Members' });
  await expect(members.getByRole('listitem')).toHaveCount(1);
  await expect(members).toContainText('(you)');
  await expect(members).toContainText('Admin');
  await expect(songRows(aPage, 'Waterloo Sunset')).toContainText('added by you, just now');

  // Bob signs up in the app with his name and joins with the code.
  const bContext = await browser.newContext();
  const bPage = await bContext.newPage();
  await bPage.goto(app.appUrl);
  await bPage.getByRole('button', { name: 'Create an account' }).click();
  await bPage.getByLabel('Your name').fill('Bob');
  await bPage.getByLabel('Email').fill(`bob-${Date.now()}@example.com`);
  await bPage.getByLabel('Password').fill('correct horse battery');
  await bPage.getByRole('button', { name: 'Create account' }).click();
  const join = bPage.getByRole('form', { name: 'Join a band' });
  await join.getByLabel('Invite code').fill(invite!.code);
  await join.getByRole('button', { name: 'Join band' }).click();
  await expect(bPage.getByRole('heading', { name: bandName })).toBeVisible();

  await expect(aPage.getByRole('status').filter({ hasText: 'Bob joined' })).toBeVisible();
  await expect(members.getByRole('listitem')).toHaveCount(2);
  await expect(members.getByRole('listitem').filter({ hasText: 'Bob' })).toContainText('joined just now');
  await expect(toasts(aPage)).not.toContainText('joined');

  await bPage.getByRole('button', { name: 'Edit Waterloo Sunset' }).click();
  await bPage.getByRole('form', { name: 'Edit Waterloo Sunset' }).getByLabel('Key').fill('E');
  await bPage.getByRole('button', { name: 'Save song' }).click();
  const row = songRows(aPage, 'Waterloo Sunset');
  await expect(row).toContainText('edited by Bob, just now');
  // The words keep up with the time without anything else happening on the page.
  await aPage.clock.setFixedTime(Date.now() + 5 * 60_000);
  await expect(row).toContainText('edited by Bob, 5 min ago', { timeout: 20_000 });

  // The admin removes Bob: said the same quiet way, and his edit is still his.
  const { data: bob } = await a.client
    .from('band_memberships')
    .select('user_id')
    .eq('band_id', bandId)
    .eq('display_name', 'Bob')
    .single();
  await a.client.from('band_memberships').delete().eq('band_id', bandId).eq('user_id', bob!.user_id);
  await expect(aPage.getByRole('status').filter({ hasText: 'Bob left' })).toBeVisible();
  await expect(members.getByRole('listitem')).toHaveCount(1);
  await expect(row).toContainText('edited by Bob, 5 min ago');
  await expect(bPage.getByRole('alert')).toContainText('You are no longer a member of this band.');
  await Promise.all([aContext.close(), bContext.close()]);
});

test('invites: copy a code, see its expiry and uses, find it again after a reload, revoke it; a refused code is said once in the join form', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  const bandName = 'Invite band';
  await bandWithSongs(a, bandName, []);
  const aContext = await browser.newContext();
  await aContext.grantPermissions(['clipboard-read', 'clipboard-write']);
  const aPage = await openApp(aContext, app.appUrl, a);
  await openBand(aPage, bandName);
  const code = await createInvite(aPage);
  const openInvites = aPage.getByRole('list', { name: 'Open invites' });
  const item = openInvites.getByRole('listitem').filter({ hasText: code });
  await expect(item).toContainText('expires in 7 days · 10 of 10 uses left');
  await item.getByRole('button', { name: `Copy ${code}` }).click();
  await expect(aPage.getByRole('status').filter({ hasText: `Copied ${code}` })).toBeVisible();
  expect(await aPage.evaluate(() => navigator.clipboard.readText())).toBe(code);
  const second = await createInvite(aPage);

  await aPage.reload();
  await expect(aPage.getByRole('heading', { name: bandName })).toBeVisible();
  await expect(openInvites.getByRole('listitem')).toHaveCount(2);
  await aPage.screenshot({ path: 'test-results/screenshots/band-page-invites.png', fullPage: true });
  await item.getByRole('button', { name: `Revoke ${code}` }).click();
  await expect(openInvites.getByRole('listitem')).toHaveCount(1);
  await expect(openInvites).toContainText(second);
  const { data: left } = await a.client.from('invite_codes').select('code');
  expect(left).toEqual([{ code: second }]);

  // Bob tries the revoked code: one error in the form, the code still in the field to correct.
  const bContext = await browser.newContext();
  const bPage = await openApp(bContext, app.appUrl, b);
  const join = bPage.getByRole('form', { name: 'Join a band' });
  await join.getByLabel('Invite code').fill(code);
  await join.getByRole('button', { name: 'Join band' }).click();
  await expect(join.getByRole('alert')).toContainText(`Code ${code} did not work: invite code is invalid`);
  await expect(join.getByLabel('Invite code')).toHaveValue(code);
  await expect(join.getByLabel('Invite code')).toHaveAttribute('aria-invalid', 'true');
  await expect(bPage.getByRole('list', { name: 'Bands' })).toHaveCount(0);
  await expect(bPage.getByText('Not saved')).toHaveCount(0);
  await expect(toasts(bPage)).not.toContainText('join');

  await join.getByLabel('Invite code').fill(second);
  await join.getByRole('button', { name: 'Join band' }).click();
  await expect(bPage.getByRole('heading', { name: bandName })).toBeVisible();
  await bPage.getByRole('link', { name: '← Your bands' }).click();
  await expect(join.getByRole('alert')).toHaveText('');
  await expect(bPage.getByRole('list', { name: 'Bands' }).getByRole('listitem')).toHaveCount(1);

  await aPage.reload();
  await expect(openInvites.getByRole('listitem').filter({ hasText: second })).toContainText(
    '9 of 10 uses left',
  );
  await Promise.all([aContext.close(), bContext.close()]);
});

test('song list: headers sort it (aria-sort says how), a select sorts it on a phone, search finds title, artist and notes, and notes are kept', async ({
  browser,
}) => {
  const a = await person('a');
  const bandName = 'Sorted band';
  await bandWithSongs(a, bandName, [
    { title: 'Lola', artist: 'The Kinks', key: 'E', bpm: 120, notes: 'capo 2, watch the bridge' },
    { title: 'Apeman', artist: 'The Kinks', key: 'C', bpm: 96 },
    { title: 'Zombie', artist: 'The Cranberries', key: 'Em' },
    { title: 'Creep', artist: 'Radiohead', key: 'G', bpm: 92 },
  ]);
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, a);
  await openBand(page, bandName);
  const table = page.getByRole('table', { name: 'Songs' });
  await expect.poll(() => songTitles(page)).toEqual(['Apeman', 'Creep', 'Lola', 'Zombie']);
  await expect(table.getByRole('columnheader', { name: 'Title' })).toHaveAttribute('aria-sort', 'ascending');

  const bpm = table.getByRole('columnheader', { name: 'BPM' });
  await bpm.getByRole('button').click();
  await expect(bpm).toHaveAttribute('aria-sort', 'ascending');
  await expect(table.getByRole('columnheader', { name: 'Title' })).toHaveAttribute('aria-sort', 'none');
  await expect.poll(() => songTitles(page)).toEqual(['Creep', 'Apeman', 'Lola', 'Zombie']);
  await bpm.getByRole('button').click();
  await expect(bpm).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(() => songTitles(page)).toEqual(['Lola', 'Apeman', 'Creep', 'Zombie']);
  await table.getByRole('columnheader', { name: 'Artist' }).getByRole('button').click();
  await expect.poll(() => songTitles(page)).toEqual(['Creep', 'Zombie', 'Apeman', 'Lola']);

  const search = page.getByRole('searchbox', { name: 'Search songs' });
  await search.fill('kinks');
  await expect.poll(() => songTitles(page)).toEqual(['Apeman', 'Lola']);
  await search.fill('BRIDGE');
  await expect.poll(() => songTitles(page)).toEqual(['Lola']);
  await expect(songRows(page, 'Lola').getByText('capo 2, watch the bridge')).toBeHidden();
  await songRows(page, 'Lola').getByText('Notes').click();
  await expect(songRows(page, 'Lola').getByText('capo 2, watch the bridge')).toBeVisible();
  await search.fill('nothing like this');
  await expect(page.getByText('No songs match “nothing like this”.')).toBeVisible();
  await search.fill('');

  // Notes typed in the form reach the server.
  const add = page.getByRole('form', { name: 'Add a song' });
  await add.getByLabel('Title').fill('Dreams');
  await add.getByLabel('Notes').fill('  Eb  F\nslow outro');
  await add.getByRole('button', { name: 'Add song' }).click();
  await expect
    .poll(async () => (await a.client.from('songs').select('notes').eq('title', 'Dreams').maybeSingle()).data)
    .toEqual({ notes: '  Eb  F\nslow outro' });

  await page.screenshot({ path: 'test-results/screenshots/band-page-songs.png', fullPage: true });

  // On a phone the headers are hidden: the select sorts.
  await page.setViewportSize({ width: 390, height: 844 });
  const sortBy = page.getByLabel('Sort by');
  await expect(sortBy).toBeVisible();
  await sortBy.selectOption({ label: 'Key ↓' });
  await expect.poll(() => songTitles(page)).toEqual(['Creep', 'Zombie', 'Lola', 'Apeman', 'Dreams']);
  await page.screenshot({ path: 'test-results/screenshots/band-page-songs-phone.png', fullPage: true });
  await context.close();
});

test('band description: written when the band is created, changed by an admin, and live in a member’s view', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  const aContext = await browser.newContext();
  const aPage = await openApp(aContext, app.appUrl, a);
  const create = aPage.getByRole('form', { name: 'Create a band' });
  await create.getByLabel('Band name').fill('Described band');
  await create.getByLabel('Description').fill('Covers for the summer fête');
  await create.getByRole('button', { name: 'Create band' }).click();
  await expect(aPage.getByRole('heading', { name: 'Described band' })).toBeVisible();
  await expect(aPage.getByText('Covers for the summer fête')).toBeVisible();
  const code = await createInvite(aPage);
  await b.client.rpc('join_band', { code });

  const bContext = await browser.newContext();
  const bPage = await openApp(bContext, app.appUrl, b);
  await openBand(bPage, 'Described band');
  await expect(bPage.getByText('Covers for the summer fête')).toBeVisible();
  // Only admins may change it.
  await expect(bPage.getByRole('button', { name: 'Edit description' })).toHaveCount(0);

  await aPage.getByRole('button', { name: 'Edit description' }).click();
  const form = aPage.getByRole('form', { name: 'Band description' });
  await form.getByLabel('Description').fill('Covers, and two of our own');
  await form.getByRole('button', { name: 'Save description' }).click();
  await expect(form).toHaveCount(0);
  await expect(aPage.getByText('Covers, and two of our own')).toBeVisible();
  await expect(bPage.getByText('Covers, and two of our own')).toBeVisible();
  await Promise.all([aContext.close(), bContext.close()]);
});
