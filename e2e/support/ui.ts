// The app as a person uses it, by roles and labels: sign in, bands, songs, toasts, the indicator.
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { Band } from '../../contract/schema.js';
import { signedUpClient, type Client } from '../../test/support/backend.js';
import type { RunningApp } from '../../test/support/browser/app.js';

export interface Person {
  email: string;
  password: string;
  userId: string;
  client: Client;
}

/** A new tab of the app, signed in as `who` (unless the profile already is). */
export async function openApp(
  context: BrowserContext,
  appUrl: string,
  who: Person,
  query = '',
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${appUrl}${query}`);
  const signInButton = page.getByRole('button', { name: 'Sign in' });
  const bands = page.getByRole('heading', { name: 'Your bands' });
  await expect(signInButton.or(bands)).toBeVisible();
  if (await signInButton.isVisible()) {
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await expect(bands).toBeVisible();
  return page;
}

/** A new member with a band of their own, open in the first tab of a new browser context. */
export async function memberOnOwnBand(
  browser: Browser,
  app: RunningApp,
  bandName: string,
  query = '',
): Promise<{ member: Person; band: Band; context: BrowserContext; page: Page }> {
  const member = await signedUpClient(app.backend, 'a');
  const { data: band, error } = await member.client.rpc('create_band', { name: bandName, description: '' });
  if (!band) throw new Error(`create_band failed: ${error?.message}`);
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, member, query);
  await openBand(page, band.name);
  return { member, band, context, page };
}

export async function createBand(page: Page, name: string): Promise<string> {
  const form = page.getByRole('form', { name: 'Create a band' });
  await form.getByLabel('Band name').fill(name);
  await form.getByRole('button', { name: 'Create band' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  return /#\/band\/(.+)$/.exec(page.url())![1]!;
}

export async function createInvite(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Create invite code' }).click();
  const code = page.getByLabel('Invite code');
  await expect(code).toHaveText(/^[A-Z0-9]{12}$/);
  return (await code.textContent())!;
}

export async function joinBand(page: Page, code: string, name: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Join a band' });
  await form.getByLabel('Invite code').fill(code);
  await form.getByRole('button', { name: 'Join band' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
}

export async function addSong(page: Page, title: string, artist = ''): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a song' });
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Artist').fill(artist);
  await form.getByRole('button', { name: 'Add song' }).click();
}

export const songRows = (page: Page, title: string) =>
  page.getByRole('table', { name: 'Songs' }).getByRole('row').filter({ hasText: title });

export const toasts = (page: Page) => page.getByRole('region', { name: 'Notifications' });
export const indicator = (page: Page) => page.locator('connection-indicator').getByRole('status');

export async function openBand(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
}

/** Opens a song's edit form, sets its BPM and saves. */
export async function setBpm(page: Page, title: string, bpm: number): Promise<void> {
  await page.getByRole('button', { name: `Edit ${title}` }).click();
  const form = page.getByRole('form', { name: `Edit ${title}` });
  await form.getByLabel('BPM').fill(String(bpm));
  await form.getByRole('button', { name: 'Save song' }).click();
}

/** Web Locks held in this browser context whose name starts with `prefix` (the outbox drainer's). */
export const heldLocks = (page: Page, prefix: string): Promise<number> =>
  page.evaluate(
    async (p) => (await navigator.locks.query()).held?.filter((lock) => lock.name?.startsWith(p)).length ?? 0,
    prefix,
  );
