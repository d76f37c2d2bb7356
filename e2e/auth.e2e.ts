// Signing in through Backline in a real Chromium: the broker owns the session, a sign-in or
// sign-out in one tab reaches every tab of the profile without a reload, the session survives a
// browser restart, and a token that expired during an outage is renewed before the socket joins
// again. The backend's tokens live 8 s here, so every test also runs across several renewals.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import { bandWith, signedUpClient, type Client } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { LAUNCH_OPTIONS } from '../test/support/browser/chromium.js';
import { chaos, metrics } from '../test/support/admin.js';
import { openLab, signIn, waitForSeqs, watch } from '../test/support/browser/lab.js';

const TOKEN_SECONDS = 8;

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp({ accessTokenTtlSeconds: TOKEN_SECONDS });
});
test.afterAll(() => app.close());

const userOf = (page: Page): Promise<string | null | undefined> => page.evaluate(() => window.lab.user());

/** A song from `writer` (signed in afresh: its own token is as short-lived as everyone's). */
async function addSong(
  writer: { client: Client; email: string; password: string },
  bandId: string,
  title: string,
) {
  await writer.client.auth.signInWithPassword({ email: writer.email, password: writer.password });
  const { error } = await writer.client.from('songs').insert({ band_id: bandId, title });
  if (error) throw new Error(error.message);
}

/** Alice, a member of Bob's band. */
async function aliceInBobsBand() {
  const alice = await signedUpClient(app.backend, 'alice');
  const bob = await signedUpClient(app.backend, 'bob');
  return { alice, bob, bandId: await bandWith(bob.client, [alice.client]) };
}

for (const transport of ['shared', 'tab'] as const) {
  test(`${transport} mode: a sign-in in one tab signs in the other without a reload, and a sign-out there signs out both`, async ({
    browser,
  }) => {
    const { alice, bob, bandId } = await aliceInBobsBand();
    const context = await browser.newContext();
    const [first, second] = [
      await openLab(context, app, { transport }),
      await openLab(context, app, { transport }),
    ];
    await expect.poll(() => userOf(second)).toBeNull();
    await signIn(first, alice.email, alice.password);
    await expect.poll(() => userOf(second)).toBe(alice.userId);
    // Signed in for real: the second tab hears the band it never signed in for.
    await watch(second, bandId);
    await addSong(bob, bandId, 'Heard in the tab that never signed in');
    await expect
      .poll(() => second.evaluate(() => window.lab.events.filter((e) => e.table_name === 'songs').length))
      .toBe(1);
    await second.evaluate(() => window.lab.signOut());
    await expect.poll(() => userOf(first)).toBeNull();
    expect(await first.evaluate(() => window.lab.notices)).toContain('auth:changed signed-out null');
    await context.close();
  });
}

test('the session survives a browser restart: the reopened page is signed in without a password', async () => {
  const alice = await signedUpClient(app.backend, 'alice');
  const bandId = await bandWith(alice.client);
  const profile = await mkdtemp(join(tmpdir(), 'backline-profile-'));
  try {
    const before = await chromium.launchPersistentContext(profile, LAUNCH_OPTIONS);
    await signIn(await openLab(before, app, { transport: 'shared' }), alice.email, alice.password);
    await before.close();
    const after = await chromium.launchPersistentContext(profile, LAUNCH_OPTIONS);
    const page = await openLab(after, app, { transport: 'shared' });
    await expect.poll(() => userOf(page)).toBe(alice.userId);
    await watch(page, bandId);
    await after.close();
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

test('after a blackhole longer than a token’s life, no join is refused for an expired token and every write made meanwhile arrives once', async ({
  browser,
}) => {
  const { alice, bob, bandId } = await aliceInBobsBand();
  const context = await browser.newContext();
  const pages = [
    await openLab(context, app, { transport: 'shared' }),
    await openLab(context, app, { transport: 'shared' }),
  ];
  await signIn(pages[0]!, alice.email, alice.password);
  for (const page of pages) await expect.poll(() => userOf(page)).toBe(alice.userId);
  const head = await watch(pages[0]!, bandId);
  await watch(pages[1]!, bandId);
  const refusedBefore = (await metrics(app)).totals.joins_refused_expired_token;
  // The socket goes silent and the auth server unreachable for longer than a token lives, so the
  // token is expired when the network comes back: it must be renewed before any channel joins.
  const outageMs = (TOKEN_SECONDS + 4) * 1000;
  await chaos(app, { action: 'blackhole', ms: outageMs });
  // Bob's write reaches the server, which the silent socket does not pass on.
  await addSong(bob, bandId, 'Bob, during the outage');
  // The auth server stays unreachable a little longer than the socket's outage.
  await chaos(app, { action: 'refuse', ms: outageMs + 3000, scope: 'rest' });
  // Alice's waits in her outbox until the server can be reached.
  await pages[1]!.evaluate((b) => void window.lab.addSong(b, 'Alice, during the outage'), bandId);
  // The socket can reach the server again and the app retries at once (as on the browser's
  // online event) while its token is expired and cannot be renewed yet: it must not join with it.
  await new Promise((resolve) => setTimeout(resolve, outageMs + 500));
  await pages[0]!.evaluate(() => window.lab.backline.retry());
  const expected = [head + 1, head + 2];
  for (const page of pages) await waitForSeqs(page, bandId, expected, 30_000);
  const titles = await pages[0]!.evaluate(() =>
    window.lab.events.map((e) => (e.record as { title?: string } | null)?.title),
  );
  expect(titles.sort()).toEqual(['Alice, during the outage', 'Bob, during the outage']);
  expect((await metrics(app)).totals.joins_refused_expired_token).toBe(refusedBefore);
  await context.close();
});
