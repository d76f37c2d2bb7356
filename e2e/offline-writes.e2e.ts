// Writes made while the network is down (REST and realtime refused) wait in the outbox, show as
// pending, and land exactly once when it returns, in every tab and for every member.
import { expect, test } from '@playwright/test';
import { client, signedUpClient } from '../test/support/backend.js';
import { chaos } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { addSong, indicator, openApp, openBand, songRows } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

test('songs added and edited in two tabs while offline land exactly once when the network returns', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([signedUpClient(app.backend, 'a'), signedUpClient(app.backend, 'b')]);
  const { data: band } = await a.client.rpc('create_band', { name: 'On the train', description: '' });
  const { data: invite } = await a.client.rpc('create_invite', { band_id: band!.id });
  await b.client.rpc('join_band', { code: invite!.code });
  const { data: base } = await a.client
    .from('songs')
    .insert({ band_id: band!.id, title: 'Setlist opener', bpm: 100 })
    .select()
    .single();

  const context = await browser.newContext();
  const tabs = [await context.newPage(), await context.newPage()];
  for (const [i, tab] of tabs.entries()) {
    await tab.goto(`${app.appUrl}?heartbeat=1000`);
    if (i === 0) {
      await tab.getByLabel('Email').fill(a.email);
      await tab.getByLabel('Password').fill(a.password);
      await tab.getByRole('button', { name: 'Sign in' }).click();
    }
    await tab.getByRole('link', { name: 'On the train' }).click();
    await expect(
      tab.getByRole('table', { name: 'Songs' }).getByRole('row').filter({ hasText: 'Setlist opener' }),
    ).toHaveCount(1);
  }

  // The train enters a tunnel: no REST, no realtime.
  await chaos(app, { action: 'refuse', ms: 8000, scope: 'all' });
  await chaos(app, { action: 'drop', user_id: a.userId });
  const [first, second] = tabs as [(typeof tabs)[0], (typeof tabs)[0]];
  for (const title of ['Tunnel 1', 'Tunnel 2', 'Tunnel 3']) {
    const form = first.getByRole('form', { name: 'Add a song' });
    await form.getByLabel('Title').fill(title);
    await form.getByRole('button', { name: 'Add song' }).click();
    await expect(first.getByRole('row').filter({ hasText: title })).toContainText('Waiting to sync');
  }
  await second.getByRole('button', { name: 'Edit Setlist opener' }).click();
  const edit = second.getByRole('form', { name: 'Edit Setlist opener' });
  await edit.getByLabel('BPM').fill('126');
  await edit.getByRole('button', { name: 'Save song' }).click();
  await expect(second.getByRole('row').filter({ hasText: 'Setlist opener' })).toContainText('126');
  await first.screenshot({ path: 'test-results/screenshots/offline-pending.png' });

  // Out of the tunnel: everything lands once, and every view agrees with the database. The outbox
  // drains in the order the writes were made, so the edit (made last) lands last.
  const service = client(app.backend, app.backend.serviceRoleKey);
  const songsNow = async (): Promise<unknown> =>
    (await service.from('songs').select('title, bpm, version').eq('band_id', band!.id).order('title')).data;
  await expect.poll(songsNow, { timeout: 30_000 }).toEqual([
    { title: 'Setlist opener', bpm: 126, version: base!.version + 1 },
    { title: 'Tunnel 1', bpm: null, version: 1 },
    { title: 'Tunnel 2', bpm: null, version: 1 },
    { title: 'Tunnel 3', bpm: null, version: 1 },
  ]);
  for (const tab of tabs) {
    for (const title of ['Tunnel 1', 'Tunnel 2', 'Tunnel 3']) {
      const row = tab.getByRole('table', { name: 'Songs' }).getByRole('row').filter({ hasText: title });
      await expect(row).toHaveCount(1, { timeout: 30_000 });
      await expect(row).not.toContainText('Waiting to sync');
    }
  }
  // B, another member, sees the same songs through the API.
  const { data: seenByB } = await b.client
    .from('songs')
    .select('title')
    .eq('band_id', band!.id)
    .like('title', 'Tunnel%');
  expect(seenByB).toHaveLength(3);
  await context.close();
});

test('an offline edit of a song another member changed meanwhile is a conflict: Keep mine and Refresh do what they say', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([signedUpClient(app.backend, 'a'), signedUpClient(app.backend, 'b')]);
  const { data: band } = await a.client.rpc('create_band', { name: 'Two editors', description: '' });
  const { data: invite } = await a.client.rpc('create_invite', { band_id: band!.id });
  await b.client.rpc('join_band', { code: invite!.code });
  await a.client.from('songs').insert([
    { band_id: band!.id, title: 'Xylophone' },
    { band_id: band!.id, title: 'Yodel' },
  ]);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.appUrl}?heartbeat=1000`);
  await page.getByLabel('Email').fill(a.email);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Two editors' }).click();
  await expect(page.getByRole('table', { name: 'Songs' }).getByRole('row')).toHaveCount(3);

  // REST comes back after 6 s; realtime stays down throughout, so what this view learns of B's
  // edits can come only from the conflicts themselves.
  await chaos(app, { action: 'refuse', ms: 60_000, scope: 'realtime' });
  await chaos(app, { action: 'refuse', ms: 6000, scope: 'rest' });
  await chaos(app, { action: 'drop', user_id: a.userId });
  for (const [song, mine] of [
    ['Xylophone', 'Xylophone (A)'],
    ['Yodel', 'Yodel (A)'],
  ] as const) {
    await page.getByRole('button', { name: `Edit ${song}` }).click();
    const form = page.getByRole('form', { name: `Edit ${song}` });
    await form.getByLabel('Title').fill(mine);
    await form.getByRole('button', { name: 'Save song' }).click();
    await expect(page.getByRole('row').filter({ hasText: mine })).toContainText('Waiting to sync');
  }
  // Meanwhile B, on a network that works, edits both songs first. (The chaos cuts every HTTP
  // client of this backend, so B's edits go straight to the database, as B: RLS still applies.)
  const asB = { role: 'authenticated' as const, sub: b.userId };
  for (const [before, after] of [
    ['Xylophone', 'Xylophone (B)'],
    ['Yodel', 'Yodel (B)'],
  ] as const) {
    const updated = await app.backend.db.asUser(asB, (tx) =>
      tx.query('update public.songs set title = $1 where band_id = $2 and title = $3', [
        after,
        band!.id,
        before,
      ]),
    );
    expect(updated.affectedRows).toBe(1);
  }

  const notifications = page.getByRole('region', { name: 'Notifications' });
  // Two conflicts are one toast that stays; the choices are on the rows.
  await expect(notifications.getByRole('status')).toContainText(
    ['2 of your changes were not applied: other members changed those songs first. Choose on each row.'],
    { timeout: 30_000 },
  );
  const table = page.getByRole('table', { name: 'Songs' });
  await expect(table.getByRole('row').filter({ hasText: 'Xylophone (B)' })).toContainText('Conflict');
  await page.screenshot({ path: 'test-results/screenshots/conflict.png' });
  // Nothing was overwritten behind anyone's back.
  const service = client(app.backend, app.backend.serviceRoleKey);
  const titles = async (): Promise<string[]> =>
    ((await service.from('songs').select('title').eq('band_id', band!.id).order('title')).data ?? []).map(
      (s) => s.title,
    );
  expect(await titles()).toEqual(['Xylophone (B)', 'Yodel (B)']);

  await page.getByRole('button', { name: 'Keep mine: Xylophone (B)' }).click();
  // One conflict left: the toast now names it, with B's name and their title.
  const yConflict = notifications.getByRole('status').filter({ hasText: 'Your change was not applied' });
  await expect(yConflict).toContainText(`changed “Yodel (A)” (now: “Yodel (B)”)`);
  await expect(yConflict).toContainText(b.email.split('@')[0]!.slice(1));
  await yConflict.getByRole('button', { name: 'Refresh' }).click();
  await expect.poll(titles, { timeout: 15_000 }).toEqual(['Xylophone (A)', 'Yodel (B)']);
  await expect(notifications).not.toContainText('not applied');
  await expect(table.getByRole('row').filter({ hasText: 'Xylophone (A)' })).not.toContainText('Conflict');
  // The conflict carried B's version: Refresh shows it at once, with no realtime event to wait for.
  await expect(table.getByRole('row').filter({ hasText: 'Yodel (B)' })).toHaveCount(1);
  await expect(table.getByRole('row').filter({ hasText: 'Yodel (A)' })).toHaveCount(0);
  await chaos(app, { action: 'reset' });
  await context.close();
});

test('when queued writes get through again, the socket stops waiting out its backoff', async ({
  browser,
}) => {
  const a = await signedUpClient(app.backend, 'a');
  const { data: band } = await a.client.rpc('create_band', { name: 'Back online', description: '' });
  const context = await browser.newContext();
  // The longest backoff (first retry anywhere in 0–30 s) for both the socket and the outbox.
  const page = await openApp(context, app.appUrl, a, '?heartbeat=1000&backoff=30000');
  await openBand(page, band!.name);
  await expect(indicator(page)).toBeHidden();

  await chaos(app, { action: 'refuse', ms: 60_000, scope: 'all' });
  await chaos(app, { action: 'drop', user_id: a.userId });
  await expect(indicator(page)).toContainText('Reconnecting');
  await addSong(page, 'Through again');
  await expect(songRows(page, 'Through again')).toContainText('Waiting to sync');
  await chaos(app, { action: 'reset' });
  // The browser says it is online again: that wakes the outbox (a socket that is reconnecting,
  // not offline, ignores it). The write landing is what tells the socket the network is back.
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(songRows(page, 'Through again')).not.toContainText(/Waiting to sync|Syncing/);
  await expect(indicator(page)).toBeHidden();
  await context.close();
});
