// The outbox on a train: changes made in two tabs while REST and realtime are refused survive a
// reload, a closed and reopened tab and a browser restart, land exactly once and in the order they
// were made, and are drained by one context at a time. A refused write is shown and blocks
// nothing; another user signing in on the same profile never sends them.
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { client, signedUpClient } from '../test/support/backend.js';
import { outboxLock } from '../contract/names.js';
import { TOAST_LIFETIME_MS } from '../src/ui/state/toast-queue.js';
import { chaos } from '../test/support/admin.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { LAUNCH_OPTIONS } from '../test/support/browser/chromium.js';
import {
  addSong,
  heldLocks,
  indicator,
  openApp,
  openBand,
  setBpm,
  songRows,
  type Person,
} from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

const person = (name: string): Promise<Person> => signedUpClient(app.backend, name);
const service = () => client(app.backend, app.backend.serviceRoleKey);
const tunnel = () => chaos(app, { action: 'refuse', ms: 120_000, scope: 'all' });
const outOfTunnel = () => chaos(app, { action: 'reset' });

/** A band of `a` that `b` has joined, with songs already in it. */
async function bandOf(a: Person, b: Person, name: string, titles: string[]): Promise<string> {
  const { data: band } = await a.client.rpc('create_band', { name, description: '' });
  const { data: invite } = await a.client.rpc('create_invite', { band_id: band!.id });
  await b.client.rpc('join_band', { code: invite!.code });
  await a.client.from('songs').insert(titles.map((title) => ({ band_id: band!.id, title })));
  return band!.id;
}

/** The band's songs as the database holds them. */
async function songsIn(bandId: string): Promise<unknown> {
  const { data } = await service()
    .from('songs')
    .select('title, bpm, version, deleted_at')
    .eq('band_id', bandId)
    .order('title');
  return (data ?? []).map(({ deleted_at, ...song }) => ({ ...song, deleted: deleted_at !== null }));
}

/** What `actor` did to the band after `afterSeq`, from the change log: op and title, in commit order. */
async function logOf(bandId: string, actor: string, afterSeq: number): Promise<string[]> {
  const { data } = await service()
    .from('band_events')
    .select('op, record')
    .eq('band_id', bandId)
    .eq('actor', actor)
    .gt('seq', afterSeq)
    .order('seq');
  return (data ?? []).map((e) => `${e.op} ${(e.record as { title: string }).title}`);
}

async function headSeq(bandId: string): Promise<number> {
  const { data } = await service()
    .from('band_events')
    .select('seq')
    .eq('band_id', bandId)
    .order('seq', { ascending: false })
    .limit(1);
  return data?.[0]?.seq ?? 0;
}

async function expectSynced(page: Page, titles: string[]): Promise<void> {
  for (const title of titles) {
    const row = songRows(page, title);
    await expect(row).toHaveCount(1, { timeout: 30_000 });
    await expect(row).not.toContainText(/Waiting to sync|Syncing/);
  }
}

for (const transport of ['shared', 'tab'] as const) {
  test(`${transport}: offline changes from two tabs survive a reload and a reopened tab and land once, in order`, async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const [a, b] = await Promise.all([person('a'), person('b')]);
    const name = `Night train (${transport})`;
    const bandId = await bandOf(a, b, name, ['Amber', 'Blue', 'Coda', 'Dirge']);
    const query = `?heartbeat=1000&transport=${transport}`;
    const aContext = await browser.newContext();
    const bContext = await browser.newContext();
    const [tab1, tab2, bTab] = [
      await openApp(aContext, app.appUrl, a, query),
      await openApp(aContext, app.appUrl, a, query),
      await openApp(bContext, app.appUrl, b, '?heartbeat=1000'),
    ];
    for (const tab of [tab1, tab2, bTab]) {
      await openBand(tab, name);
      await expect(songRows(tab, 'Dirge')).toHaveCount(1);
    }
    const head = await headSeq(bandId);

    await tunnel();
    await chaos(app, { action: 'drop' });
    for (const title of ['Tunnel 1', 'Tunnel 2', 'Tunnel 3']) await addSong(tab1, title);
    await setBpm(tab2, 'Amber', 101);
    await addSong(tab2, 'Tunnel 4');
    await setBpm(tab1, 'Blue', 102);
    await tab1.getByRole('button', { name: 'Delete Dirge' }).click();
    await addSong(tab2, 'Tunnel 5');
    await setBpm(tab2, 'Coda', 103);
    for (const title of ['Tunnel 1', 'Tunnel 5']) {
      await expect(songRows(tab1, title)).toContainText('Waiting to sync');
      await expect(songRows(tab2, title)).toContainText('Waiting to sync');
    }
    await expect(indicator(tab1)).toContainText('9 changes waiting to sync');
    // One drainer for the profile: the worker in shared mode, one elected tab in per-tab mode.
    expect(await heldLocks(tab1, outboxLock(a.userId))).toBe(1);

    // A reload and a closed-then-reopened tab, still in the tunnel: the queue is on disk.
    await tab1.reload();
    await tab2.close();
    const tab3 = await aContext.newPage();
    await tab3.goto(`${app.appUrl}${query}#/band/${bandId}`);
    for (const tab of [tab1, tab3]) {
      for (const title of ['Tunnel 1', 'Tunnel 4', 'Tunnel 5'])
        await expect(songRows(tab, title)).toContainText('Waiting to sync');
      await expect(indicator(tab)).toContainText('9 changes waiting to sync');
    }
    expect(await heldLocks(tab3, outboxLock(a.userId))).toBe(1);
    expect(await logOf(bandId, a.userId, head)).toEqual([]);

    await outOfTunnel();
    await expect
      .poll(() => songsIn(bandId), { timeout: 45_000 })
      .toEqual([
        { title: 'Amber', bpm: 101, version: 2, deleted: false },
        { title: 'Blue', bpm: 102, version: 2, deleted: false },
        { title: 'Coda', bpm: 103, version: 2, deleted: false },
        { title: 'Dirge', bpm: null, version: 2, deleted: true },
        ...[1, 2, 3, 4, 5].map((n) => ({ title: `Tunnel ${n}`, bpm: null, version: 1, deleted: false })),
      ]);
    // Each change once, in the order it was made across both tabs.
    expect(await logOf(bandId, a.userId, head)).toEqual([
      'INSERT Tunnel 1',
      'INSERT Tunnel 2',
      'INSERT Tunnel 3',
      'UPDATE Amber',
      'INSERT Tunnel 4',
      'UPDATE Blue',
      'UPDATE Dirge',
      'INSERT Tunnel 5',
      'UPDATE Coda',
    ]);
    const titles = ['Amber', 'Blue', 'Coda', ...[1, 2, 3, 4, 5].map((n) => `Tunnel ${n}`)];
    for (const tab of [tab1, tab3, bTab]) {
      await expectSynced(tab, titles);
      await expect(songRows(tab, 'Dirge')).toHaveCount(0);
      await expect(songRows(tab, 'Coda')).toContainText('103');
    }
    // Everything synced and connected: the indicator has nothing to say and hides.
    await expect(tab1.locator('connection-indicator').getByText(/waiting to sync/)).toHaveCount(0);
    // The socket may still be waiting out its jittered backoff from the outage (failed once in CI
    // at 10 s while already synced over REST): allow the backoff's reach, not the default 10 s.
    await expect(indicator(tab1)).toBeHidden({ timeout: 30_000 });
    await tab1.screenshot({ path: `test-results/screenshots/outbox-drained-${transport}.png` });
    await Promise.all([aContext.close(), bContext.close()]);
  });
}

test('a write refused by RLS shows its error, and the writes queued behind it still land', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  // B runs "Left behind" and removes A from it while A is in the tunnel; A and B share "Onwards".
  const leftBehind = await bandOf(b, a, 'Left behind', ['Old song']);
  const onwards = await bandOf(a, b, 'Onwards', ['Intro']);
  const context = await browser.newContext();
  const [tabX, tabY] = [await openApp(context, app.appUrl, a), await openApp(context, app.appUrl, a)];
  await openBand(tabX, 'Left behind');
  await openBand(tabY, 'Onwards');
  await expect(songRows(tabY, 'Intro')).toHaveCount(1);

  await tunnel();
  await addSong(tabX, 'Doomed');
  await expect(songRows(tabX, 'Doomed')).toContainText('Waiting to sync');
  await addSong(tabY, 'Survivor 1');
  await addSong(tabY, 'Survivor 2');
  const removed = await app.backend.db.asUser({ role: 'authenticated', sub: b.userId }, (tx) =>
    tx.query('delete from public.band_memberships where band_id = $1 and user_id = $2', [
      leftBehind,
      a.userId,
    ]),
  );
  expect(removed.affectedRows).toBe(1);
  await outOfTunnel();

  const doomed = songRows(tabX, 'Doomed');
  await expect(doomed).toContainText('Not saved', { timeout: 30_000 });
  await expect(doomed).toContainText('row-level security');
  const refusal = tabX
    .getByRole('region', { name: 'Notifications' })
    .getByRole('alert')
    .filter({ hasText: 'Could not add “Doomed”' });
  await expect(refusal).toContainText('row-level security');
  await expectSynced(tabY, ['Survivor 1', 'Survivor 2']);
  // The refusal stays on screen (it is not a toast that times out) until dismissed.
  await tabY.waitForTimeout(TOAST_LIFETIME_MS + 1000);
  await expect(refusal).toBeVisible();
  expect(await songsIn(onwards)).toEqual([
    { title: 'Intro', bpm: null, version: 1, deleted: false },
    { title: 'Survivor 1', bpm: null, version: 1, deleted: false },
    { title: 'Survivor 2', bpm: null, version: 1, deleted: false },
  ]);
  expect(await songsIn(leftBehind)).toEqual([{ title: 'Old song', bpm: null, version: 1, deleted: false }]);
  // Nothing is dropped silently: the refused write stays until the user dismisses it.
  await doomed.getByRole('button', { name: 'Dismiss' }).click();
  await expect(doomed).toHaveCount(0);
  await context.close();
});

test('the outbox survives a browser restart and drains on the next start', async () => {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  const bandId = await bandOf(a, b, 'Restart', ['Before']);
  const profile = await mkdtemp(join(tmpdir(), 'backline-profile-'));
  const launch = (): Promise<BrowserContext> =>
    chromium.launchPersistentContext(profile, { ...LAUNCH_OPTIONS, headless: true });
  try {
    let context = await launch();
    const page = await openApp(context, app.appUrl, a);
    await openBand(page, 'Restart');
    await tunnel();
    await addSong(page, 'Kept on disk');
    await setBpm(page, 'Before', 90);
    await expect(songRows(page, 'Kept on disk')).toContainText('Waiting to sync');
    await expect(songRows(page, 'Before')).toContainText('Waiting to sync');
    await context.close();

    // The network returns while the browser is closed: nothing can send, so nothing lands.
    await outOfTunnel();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await songsIn(bandId)).toEqual([{ title: 'Before', bpm: null, version: 1, deleted: false }]);

    context = await launch();
    const again = await context.newPage();
    await again.goto(`${app.appUrl}#/band/${bandId}`);
    await expectSynced(again, ['Kept on disk']);
    await expect(songRows(again, 'Before')).toContainText('90');
    await expect
      .poll(() => songsIn(bandId))
      .toEqual([
        { title: 'Before', bpm: 90, version: 2, deleted: false },
        { title: 'Kept on disk', bpm: null, version: 1, deleted: false },
      ]);
    await context.close();
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

test('queued writes belong to their user: kept over a sign-out, never sent as the next user', async ({
  browser,
}) => {
  const [a, b, c] = await Promise.all([person('a'), person('b'), person('c')]);
  const bandId = await bandOf(a, b, 'Private queue', ['Theirs']);
  const { data: cBand } = await c.client.rpc('create_band', { name: 'C only', description: '' });
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, a);
  await openBand(page, 'Private queue');
  await tunnel();
  await addSong(page, 'Mine, offline');
  await expect(songRows(page, 'Mine, offline')).toContainText('Waiting to sync');
  // Signing out works without a network, and keeps the queue (it asks first: a change is unsent).
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page
    .getByRole('dialog', { name: 'Sign out with unsent changes?' })
    .getByRole('button', { name: 'Sign out' })
    .click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await outOfTunnel();

  // C signs in on the same profile and writes: C's own write lands, A's stays queued and unsent.
  await page.getByLabel('Email').fill(c.email);
  await page.getByLabel('Password').fill(c.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await openBand(page, 'C only');
  await addSong(page, 'C’s song');
  await expectSynced(page, ['C’s song']);
  await page.goto(`${app.appUrl}#/diagnostics`);
  await expect(page.getByRole('region', { name: 'Outbox' })).toContainText('Every change is synced.');
  expect(await songsIn(bandId)).toEqual([{ title: 'Theirs', bpm: null, version: 1, deleted: false }]);
  expect(await songsIn(cBand!.id)).toEqual([{ title: 'C’s song', bpm: null, version: 1, deleted: false }]);

  // A signs in again: the write is there, waiting, and then lands.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Email').fill(a.email);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await openBand(page, 'Private queue');
  await expectSynced(page, ['Mine, offline']);
  await expect
    .poll(() => songsIn(bandId))
    .toEqual([
      { title: 'Mine, offline', bpm: null, version: 1, deleted: false },
      { title: 'Theirs', bpm: null, version: 1, deleted: false },
    ]);
  await context.close();
});

test('a band created and a band joined offline wait in the list, then exist once, and the first opens', async ({
  browser,
}) => {
  const [a, b] = await Promise.all([person('a'), person('b')]);
  const { data: theirs } = await b.client.rpc('create_band', { name: 'Their band', description: '' });
  const { data: invite } = await b.client.rpc('create_invite', { band_id: theirs!.id });
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, a);
  await tunnel();
  const create = page.getByRole('form', { name: 'Create a band' });
  await create.getByLabel('Band name').fill('Made on the train');
  await create.getByRole('button', { name: 'Create band' }).click();
  const join = page.getByRole('form', { name: 'Join a band' });
  await join.getByLabel('Invite code').fill(invite!.code);
  await join.getByRole('button', { name: 'Join band' }).click();
  const bands = page.getByRole('list', { name: 'Bands' });
  await expect(bands.getByRole('listitem').filter({ hasText: 'Made on the train' })).toContainText(
    'Waiting to sync',
  );
  await expect(bands.getByRole('listitem').filter({ hasText: invite!.code })).toContainText(
    'Waiting to sync',
  );

  await outOfTunnel();
  // The first to land opens (the user is still on the list); the second then waits in the list.
  await expect(page.getByRole('heading', { name: 'Made on the train' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: '← Your bands' }).click();
  for (const name of ['Made on the train', 'Their band'])
    await expect(bands.getByRole('link', { name })).toHaveCount(1);
  await expect(bands).not.toContainText('Waiting to sync');
  const { data: mine } = await service().from('band_memberships').select('role').eq('user_id', a.userId);
  expect(mine).toHaveLength(2);
  const { count } = await service()
    .from('bands')
    .select('id', { count: 'exact', head: true })
    .eq('name', 'Made on the train')
    .eq('created_by', a.userId);
  expect(count).toBe(1);
  await context.close();
});
