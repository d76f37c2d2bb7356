// A tab's own writes as the person who made them sees them: each one opens or confirms once,
// whatever order the outbox's events and the write's answer arrive in.
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { Song } from '../contract/schema.js';
import { chaos } from '../test/support/admin.js';
import { signedUpClient } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { openApp, openBand, songRows, toasts } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

/** Delays every message a MessagePort delivers in the page (Comlink's answers), in order. */
function slowPorts(ms: number): void {
  const add = Reflect.get<EventTarget, 'addEventListener'>(EventTarget.prototype, 'addEventListener');
  MessagePort.prototype.addEventListener = function (
    this: MessagePort,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const delayed =
      type === 'message' && typeof listener === 'function'
        ? (event: Event): void => void setTimeout(() => listener.call(this, event), ms)
        : listener;
    Reflect.apply(add, this, [type, delayed, options]);
  };
}

/** Creates bands back to back in `page`; each must open and be confirmed by exactly one toast. */
async function createMany(page: Page, count: number): Promise<void> {
  const form = page.getByRole('form', { name: 'Create a band' });
  for (let i = 1; i <= count; i++) {
    const name = `Band ${i} ${Date.now()}`;
    await form.getByLabel('Band name').fill(name);
    await form.getByRole('button', { name: 'Create band' }).click();
    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
    await expect(toasts(page).getByText(`Created ${name}`, { exact: true })).toHaveCount(1);
    await page.getByRole('link', { name: '← Your bands' }).click();
  }
}

for (const mode of ['shared', 'tab'] as const) {
  test(`20 creates with a second tab open, each opens its band and toasts once (${mode})`, async ({
    browser,
  }) => {
    const a = await signedUpClient(app.backend, 'a');
    const context = await browser.newContext();
    // The race needs the outbox's events to beat the write's answer; here the server answers in
    // 15-100 ms and the port in 0-20 ms, so a slower port (150 ms, in the browser's own timers)
    // stands for a fast server or a busy worker.
    await context.addInitScript(slowPorts, 150);
    const query = `?transport=${mode}`;
    const page = await openApp(context, app.appUrl, a, query);
    const second = await openApp(context, app.appUrl, a, query);
    await createMany(page, 20);
    await expect(second.getByRole('link', { name: /^Band 20 / })).toBeVisible();
    await context.close();
  });
}

/** Two members of one band with songs by A; A's tab is on the band's page. */
async function twoMembers(browser: Browser, titles: string[]) {
  const [a, b] = await Promise.all([signedUpClient(app.backend, 'a'), signedUpClient(app.backend, 'b')]);
  const { data: band } = await a.client.rpc('create_band', { name: `Duo ${Date.now()}`, description: '' });
  const { data: invite } = await a.client.rpc('create_invite', { band_id: band!.id });
  await b.client.rpc('join_band', { code: invite!.code });
  await a.client.from('songs').insert(titles.map((title) => ({ band_id: band!.id, title })));
  const songs = async () =>
    (await a.client.from('songs').select('*').eq('band_id', band!.id).order('title')).data ?? [];
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, a);
  await openBand(page, band!.name);
  await expect(page.getByRole('table', { name: 'Songs' }).getByRole('row')).toHaveCount(titles.length + 1);
  /** B's name as the band shows it (the part of the email before the @), as a sentence starts it. */
  const bName = b.email.split('@')[0]!.replace(/^./, (c) => c.toUpperCase());
  /** B changes a song behind A's back, as B (RLS applies). */
  const asB = async (title: string, fields: Partial<Song>) => {
    const { error } = await b.client.from('songs').update(fields).eq('band_id', band!.id).eq('title', title);
    expect(error).toBeNull();
  };
  return { a, b, band: band!, page, context, songs, bName, asB };
}

/** Opens the edit form of `title`, types a new title, and leaves the form open. */
async function startEditing(page: Page, title: string, mine: string) {
  await page.getByRole('button', { name: `Edit ${title}` }).click();
  const form = page.getByRole('form', { name: `Edit ${title}` });
  await form.getByLabel('Title').fill(mine);
  return form;
}

test('a conflict has one place to be resolved: its toast goes after Refresh on the row, Keep mine lands, their delete offers Restore', async ({
  browser,
}) => {
  const { page, context, songs, bName, asB } = await twoMembers(browser, ['Alpha', 'Beta', 'Gamma']);
  const notifications = toasts(page);
  const conflictToast = notifications.getByRole('status').filter({ hasText: 'Your change was not applied' });

  // B renames Alpha while A edits it: A is warned, by name, that nothing of theirs is lost yet.
  let form = await startEditing(page, 'Alpha', 'Alpha (A)');
  await asB('Alpha', { title: 'Alpha (B)' });
  await expect(notifications).toContainText(`${bName} changed “Alpha” while you were editing it`);
  await expect(conflictToast).toHaveCount(0);
  await form.getByRole('button', { name: 'Save song' }).click();
  await expect(conflictToast).toHaveText(
    new RegExp(
      `${bName} changed “Alpha \\(A\\)” \\(now: “Alpha \\(B\\)”\\)\\. Your change was not applied\\.`,
    ),
  );
  await expect(notifications).not.toContainText('while you were editing');
  // Resolved on the row: the toast goes with it, and does not come back.
  await page.getByRole('button', { name: 'Refresh Alpha (B)' }).click();
  await expect(conflictToast).toHaveCount(0);
  await expect(songRows(page, 'Alpha (B)')).not.toContainText('Conflict');

  // Keep mine in the toast lands my version, all of it, on theirs.
  form = await startEditing(page, 'Beta', 'Beta (A)');
  await asB('Beta', { bpm: 99 });
  await form.getByRole('button', { name: 'Save song' }).click();
  await conflictToast.getByRole('button', { name: 'Keep mine' }).click();
  await expect
    .poll(async () => (await songs()).map((s) => [s.title, s.bpm]))
    .toContainEqual(['Beta (A)', null]);
  await expect(notifications).toContainText('Saved “Beta (A)”');
  await expect(conflictToast).toHaveCount(0);

  // B deletes Gamma while A edits it: A's save is a conflict that says so, with Restore or Discard.
  form = await startEditing(page, 'Gamma', 'Gamma (A)');
  await asB('Gamma', { deleted_at: new Date().toISOString() });
  await expect(notifications).toContainText(`${bName} deleted “Gamma” while you were editing it.`);
  await form.getByRole('button', { name: 'Save song' }).click();
  await expect(conflictToast).toHaveText(
    new RegExp(`${bName} deleted “Gamma”\\. Your change was not applied\\.`),
  );
  await expect(conflictToast.getByRole('button')).toHaveText(['Discard', 'Restore', '×']);
  // The row stays where the choice can be made, too.
  await expect(page.getByRole('button', { name: 'Restore: Gamma' })).toBeVisible();
  await conflictToast.getByRole('button', { name: 'Restore' }).click();
  await expect(notifications).toContainText('Restored “Gamma (A)”');
  await expect(songRows(page, 'Gamma (A)')).toHaveCount(1);
  await expect
    .poll(async () => (await songs()).map((s) => [s.title, s.deleted_at]))
    .toContainEqual(['Gamma (A)', null]);
  await context.close();
});

test('delete says so with Undo; Undo brings the song back for the other member too, and an unsent delete undone is never sent', async ({
  browser,
}) => {
  const { b, band, page, context, songs } = await twoMembers(browser, ['Delta', 'Echo', 'Foxtrot']);
  const bContext = await browser.newContext();
  const bPage = await openApp(bContext, app.appUrl, b);
  await openBand(bPage, band.name);
  const notifications = toasts(page);

  await page.getByRole('button', { name: 'Delete Delta' }).click();
  const deleted = notifications.getByRole('status').filter({ hasText: 'Deleted “Delta”' });
  await expect(deleted).toBeVisible();
  await expect(songRows(page, 'Delta')).toHaveCount(0);
  await expect(songRows(bPage, 'Delta')).toHaveCount(0);
  await expect.poll(async () => (await songs()).find((s) => s.title === 'Delta')?.deleted_at).not.toBeNull();
  await deleted.getByRole('button', { name: 'Undo' }).click();
  await expect(notifications).toContainText('Restored “Delta”');
  for (const tab of [page, bPage]) await expect(songRows(tab, 'Delta')).toHaveCount(1);
  await expect.poll(async () => (await songs()).find((s) => s.title === 'Delta')?.deleted_at).toBeNull();

  // The server unreachable: Echo's delete is tried and backs off, holding the queue, so Foxtrot's
  // waits unsent; undone, it leaves the outbox and nothing is ever sent for Foxtrot.
  await chaos(app, { action: 'refuse', ms: 60_000, scope: 'rest' });
  await page.getByRole('button', { name: 'Delete Echo' }).click();
  await expect(page.locator('connection-indicator')).toContainText('waiting to sync');
  await page.getByRole('button', { name: 'Delete Foxtrot' }).click();
  await notifications
    .getByRole('status')
    .filter({ hasText: 'Deleted “Foxtrot”' })
    .getByRole('button', { name: 'Undo' })
    .click();
  await expect(songRows(page, 'Foxtrot')).toHaveCount(1);
  await expect(songRows(page, 'Foxtrot')).not.toContainText('Waiting to sync');
  await chaos(app, { action: 'reset' });
  await expect(songRows(bPage, 'Echo')).toHaveCount(0);
  const foxtrot = (await songs()).find((s) => s.title === 'Foxtrot');
  expect([foxtrot?.version, foxtrot?.deleted_at]).toEqual([1, null]);
  await Promise.all([context.close(), bContext.close()]);
});
