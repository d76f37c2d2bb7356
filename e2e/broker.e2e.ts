// The broker in a real Chromium against the local backend, its admin metrics as the witness.
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { bandWith, logSeqs, signedUpClient, type Client } from '../test/support/backend.js';
// The same crash the benchmark and the soak inflict: the worker's target closed through CDP.
import { closeSharedWorker } from '../test/support/browser/cdp.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { serverSockets, chaos } from '../test/support/admin.js';
import {
  openLab,
  seqs,
  signIn,
  stateOf,
  waitForSeqs,
  watch,
  type LabOptions,
} from '../test/support/browser/lab.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

interface Member {
  email: string;
  password: string;
  userId: string;
  client: Client;
}

const member = (name: string): Promise<Member> => signedUpClient(app.backend, name);

/** A band of `owner` with `others` joined by invite. */
async function band(owner: Member, others: Member[] = []): Promise<string> {
  return bandWith(
    owner.client,
    others.map((o) => o.client),
  );
}

async function addSong(writer: Member, bandId: string, title: string): Promise<void> {
  const { error } = await writer.client.from('songs').insert({ band_id: bandId, title });
  if (error) throw new Error(error.message);
}

async function tabs(
  context: BrowserContext,
  count: number,
  user: Member,
  options: LabOptions = {},
): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await openLab(context, app, options);
    await signIn(page, user.email, user.password);
    pages.push(page);
  }
  return pages;
}

const newContext = (browser: Browser): Promise<BrowserContext> => browser.newContext();

test('ten tabs in one profile share one socket, with one subscription per band', async ({ browser }) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const [bandA, bandB] = [await band(alice, [bob]), await band(alice, [bob])];
  const context = await newContext(browser);
  const pages = await tabs(context, 10, alice);
  const heads = await Promise.all(pages.flatMap((page) => [watch(page, bandA), watch(page, bandB)]));
  expect(heads.every((head) => head > 0)).toBe(true);

  const sockets = (await serverSockets(app)).filter((s) => s.userId === alice.userId);
  expect(sockets).toHaveLength(1);
  expect(sockets[0]!.bandsSubscribed(bandA)).toBe(1);
  expect(sockets[0]!.bandsSubscribed(bandB)).toBe(1);

  await addSong(bob, bandA, 'Everyone hears this');
  const expected = await logSeqs(alice.client, bandA, heads[0]!);
  await Promise.all(pages.map((page) => waitForSeqs(page, bandA, expected)));
  await context.close();
});

test('per-tab transport opens one socket per tab', async ({ browser }) => {
  const alice = await member('alice');
  const bandId = await band(alice);
  const context = await newContext(browser);
  const pages = await tabs(context, 10, alice, { transport: 'tab' });
  await Promise.all(pages.map((page) => watch(page, bandId)));
  expect(await pages[0]!.evaluate(() => window.lab.mode())).toBe('tab');
  const sockets = (await serverSockets(app)).filter((s) => s.userId === alice.userId);
  expect(sockets).toHaveLength(10);
  await context.close();
});

test('a SharedWorker that cannot load its script leaves the tab in per-tab mode at once, saying why', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bandId = await band(alice);
  const context = await newContext(browser);
  await context.route('**/shared-worker.ts*', (route) => route.abort());
  // A start deadline no test waits out: the page is ready only if the worker's error was heard.
  const [page] = await tabs(context, 1, alice, { start: 600_000 });
  expect(await page!.evaluate(() => window.lab.mode())).toBe('tab');
  expect(await page!.evaluate(() => window.lab.modeReason())).toMatch(/could not load its script/);
  const head = await watch(page!, bandId);
  await addSong(alice, bandId, 'Heard per tab');
  await waitForSeqs(page!, bandId, await logSeqs(alice.client, bandId, head));
  await context.close();
});

test('two browsers of one user have a socket each and see each other’s changes', async ({ browser }) => {
  const alice = await member('alice');
  const bandId = await band(alice);
  const [laptop, desktop] = [await newContext(browser), await newContext(browser)];
  const [first] = await tabs(laptop, 2, alice);
  const [second] = await tabs(desktop, 2, alice);
  const head = await watch(first!, bandId);
  await watch(second!, bandId);
  expect((await serverSockets(app)).filter((s) => s.userId === alice.userId)).toHaveLength(2);

  await first!.evaluate((b) => window.lab.addSong(b, 'From the laptop'), bandId);
  const expected = await logSeqs(alice.client, bandId, head);
  expect(expected).toHaveLength(1);
  await waitForSeqs(second!, bandId, expected);
  await Promise.all([laptop.close(), desktop.close()]);
});

test('closing tabs releases their interest, and the last one releases the subscription', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bandId = await band(alice);
  const context = await newContext(browser);
  const pages = await tabs(context, 3, alice, { grace: 200 });
  await Promise.all(pages.map((page) => watch(page, bandId)));
  const survivor = pages[0]!;
  const watchers = async (): Promise<number> =>
    survivor.evaluate(async (b) => {
      const d = (await window.lab.backline.diagnostics()) as {
        users: { bands: { bandId: string; watchers: number }[] }[];
      };
      return d.users[0]?.bands.find((x) => x.bandId === b)?.watchers ?? 0;
    }, bandId);
  expect(await watchers()).toBe(3);
  // A closed tab never says goodbye here: its Web Lock is what tells the worker.
  await pages[1]!.close({ runBeforeUnload: false });
  await pages[2]!.close({ runBeforeUnload: false });
  await expect.poll(watchers).toBe(1);

  await survivor.evaluate((b) => window.lab.unwatch(b), bandId);
  await expect
    .poll(async () =>
      (await serverSockets(app)).find((s) => s.userId === alice.userId)?.bandsSubscribed(bandId),
    )
    .toBe(0);
  await context.close();
});

test('a band created in one tab is live at once: another member’s song shows in tabs 1 and 2 without reload', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const context = await newContext(browser);
  const [tab1, tab2] = await tabs(context, 2, alice);
  const bandId = await tab1!.evaluate(() => window.lab.createBand('Brand new'));
  await Promise.all([watch(tab1!, bandId), watch(tab2!, bandId)]);
  const { data: invite } = await alice.client.rpc('create_invite', { band_id: bandId });
  await bob.client.rpc('join_band', { code: invite!.code });
  await addSong(bob, bandId, 'Hello from Bob');
  const all = await logSeqs(alice.client, bandId, 0);
  const songSeq = all.at(-1)!;
  for (const page of [tab1!, tab2!]) {
    await expect.poll(() => seqs(page, bandId)).toContain(songSeq);
  }
  await context.close();
});

for (const fault of ['drop', 'blackhole', 'refuse'] as const) {
  test(`after a ${fault}, every tab reconnects and gets every write made meanwhile exactly once`, async ({
    browser,
  }) => {
    const alice = await member('alice');
    const bob = await member('bob');
    const bandId = await band(alice, [bob]);
    const context = await newContext(browser);
    const pages = await tabs(context, 3, alice, { heartbeat: 500 });
    const head = (await Promise.all(pages.map((page) => watch(page, bandId))))[0]!;

    if (fault === 'drop') await chaos(app, { action: 'drop', user_id: alice.userId });
    if (fault === 'blackhole') await chaos(app, { action: 'blackhole', ms: 3000 });
    if (fault === 'refuse') {
      await chaos(app, { action: 'refuse', ms: 3000 });
      await chaos(app, { action: 'drop', user_id: alice.userId });
    }
    for (let i = 0; i < 5; i++) await addSong(bob, bandId, `${fault} ${i}`);
    await expect.poll(() => stateOf(pages[0]!), { timeout: 10_000 }).not.toBe('connected');

    await expect.poll(() => stateOf(pages[0]!), { timeout: 30_000 }).toBe('connected');
    for (let i = 5; i < 8; i++) await addSong(bob, bandId, `${fault} ${i}`);
    const expected = await logSeqs(alice.client, bandId, head);
    expect(expected).toHaveLength(8);
    await Promise.all(pages.map((page) => waitForSeqs(page, bandId, expected, 30_000)));
    const states = await pages[0]!.evaluate(() => window.lab.states);
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('connected');
    await context.close();
  });
}

test('sign-out in one tab stops events in every tab of the profile', async ({ browser }) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const bandId = await band(alice, [bob]);
  const context = await newContext(browser);
  const [tab1, tab2] = await tabs(context, 2, alice);
  await Promise.all([watch(tab1!, bandId), watch(tab2!, bandId)]);
  await tab1!.evaluate(() => window.lab.signOut());
  await expect
    .poll(async () => (await serverSockets(app)).filter((s) => s.userId === alice.userId).length, {
      timeout: 1000,
    })
    .toBe(0);
  const before = (await seqs(tab2!, bandId)).length;
  await addSong(bob, bandId, 'Nobody is listening');
  await tab2!.waitForTimeout(500);
  expect(await seqs(tab2!, bandId)).toHaveLength(before);
  await context.close();
});

test('two users in one profile get a socket each and never see each other’s events', async ({ browser }) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const [aliceBand, bobBand] = [await band(alice), await band(bob)];
  const context = await newContext(browser);
  // A session per tab (sessionStorage): two people share one browser profile.
  const [aliceTab] = await tabs(context, 1, alice, { storage: 'session' });
  const [bobTab] = await tabs(context, 1, bob, { storage: 'session' });
  const aliceHead = await watch(aliceTab!, aliceBand);
  const bobHead = await watch(bobTab!, bobBand);
  const refused = await bobTab!.evaluate(
    (b) =>
      window.lab.watch(b).then(
        () => 'watched',
        (e: Error) => e.message,
      ),
    aliceBand,
  );
  expect(refused).toMatch(/not a member/);
  const sockets = await serverSockets(app);
  expect(sockets.filter((s) => s.userId === alice.userId)).toHaveLength(1);
  expect(sockets.filter((s) => s.userId === bob.userId)).toHaveLength(1);

  await addSong(alice, aliceBand, 'For Alice only');
  await addSong(bob, bobBand, 'For Bob only');
  await waitForSeqs(aliceTab!, aliceBand, await logSeqs(alice.client, aliceBand, aliceHead));
  await waitForSeqs(bobTab!, bobBand, await logSeqs(bob.client, bobBand, bobHead));
  expect(await seqs(aliceTab!, bobBand)).toEqual([]);
  expect(await seqs(bobTab!, aliceBand)).toEqual([]);
  const bobSaw = await bobTab!.evaluate(() => window.lab.notices.join(' '));
  expect(bobSaw).not.toContain(aliceBand);
  await context.close();
});

// Band events reach only the tabs watching the band, counted where they enter the page: every
// message on any MessagePort or BroadcastChannel the page listens to with `onmessage` (the band
// port and the user's bus; Comlink's calls use addEventListener and are not counted).
/** Runs before the page's code: keeps the data of every message handed to an `onmessage` handler. */
function recordMessages(): void {
  const heard: unknown[] = [];
  Object.assign(window, { heardMessages: heard });
  for (const proto of [MessagePort.prototype, BroadcastChannel.prototype]) {
    const onmessage = Object.getOwnPropertyDescriptor(proto, 'onmessage')!;
    Object.defineProperty(proto, 'onmessage', {
      configurable: true,
      get(this: EventTarget) {
        return onmessage.get!.call(this) as unknown;
      },
      set(this: EventTarget, handler: ((event: MessageEvent) => void) | null) {
        onmessage.set!.call(
          this,
          handler &&
            ((event: MessageEvent) => {
              heard.push(event.data);
              handler.call(this, event);
            }),
        );
      },
    });
  }
}

/** The band events among everything the page heard, as [type, userId, bandId]. */
const bandEventsHeard = (page: Page): Promise<[string, string, string][]> =>
  page.evaluate(() =>
    (window as unknown as { heardMessages: unknown[] }).heardMessages
      .flatMap((data) => {
        const events = (data as { events?: unknown }).events;
        return Array.isArray(events) ? (events as unknown[]) : [data];
      })
      .flatMap((event) => {
        const e = event as { type?: unknown; userId?: unknown; bandId?: unknown };
        return typeof e.type === 'string' && e.type.startsWith('band:') && typeof e.bandId === 'string'
          ? [[e.type, String(e.userId), e.bandId] as [string, string, string]]
          : [];
      }),
  );

test('a tab hears only the bands it watches: no message for another band’s events, nor another user’s', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const [bandA, bandB, bobBand] = [await band(alice), await band(alice), await band(bob)];
  const context = await newContext(browser);
  await context.addInitScript(recordMessages);
  // Alice in two tabs of the profile; Bob in a third, with a session of his own (?storage=session).
  const [watchesA, watchesB] = await tabs(context, 2, alice);
  const [bobTab] = await tabs(context, 1, bob, { storage: 'session' });
  const headA = await watch(watchesA!, bandA);
  const headB = await watch(watchesB!, bandB);
  const bobHead = await watch(bobTab!, bobBand);

  // A's songs first, then B's and Bob's: every message is posted in order, so anything of A's
  // bound for the other tabs would have reached them before what they wait for.
  await addSong(alice, bandA, 'For the A tab');
  await waitForSeqs(watchesA!, bandA, await logSeqs(alice.client, bandA, headA));
  await addSong(alice, bandB, 'For the B tab');
  await addSong(bob, bobBand, 'For Bob');
  await waitForSeqs(watchesB!, bandB, await logSeqs(alice.client, bandB, headB));
  await waitForSeqs(bobTab!, bobBand, await logSeqs(bob.client, bobBand, bobHead));

  const heardByB = await bandEventsHeard(watchesB!);
  // B's own events did come this way: the recording sees the route.
  expect(heardByB.some(([type, , band]) => type === 'band:event' && band === bandB)).toBe(true);
  expect(heardByB.filter(([, , band]) => band === bandA)).toEqual([]);
  const heardByBob = await bandEventsHeard(bobTab!);
  expect(heardByBob.filter(([, user]) => user === alice.userId)).toEqual([]);
  expect(heardByBob.filter(([, , band]) => band !== bobBand)).toEqual([]);
  const heardByA = await bandEventsHeard(watchesA!);
  expect(heardByA.filter(([, , band]) => band !== bandA)).toEqual([]);
  await context.close();
});

test('a worker that stops answering is replaced, and every event, also those made meanwhile, arrives once', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const bandId = await band(alice, [bob]);
  const context = await newContext(browser);
  const [tab1, tab2, tab3] = await tabs(context, 3, alice);
  const head = await watch(tab1!, bandId);
  await watch(tab2!, bandId);

  expect(await closeSharedWorker(browser)).toBe(true);
  // Bob keeps writing while no worker listens: the next generation must deliver these too.
  await addSong(bob, bandId, 'While the worker was dead 1');
  await addSong(bob, bandId, 'While the worker was dead 2');

  // Both tabs move to the next worker generation (a closed SharedWorker stays dead under its name).
  for (const tab of [tab1!, tab2!]) {
    await expect
      .poll(() => tab.evaluate(() => window.lab.generation()), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await tab.evaluate(() => window.lab.mode())).toBe('shared');
  }
  await addSong(bob, bandId, 'After the worker died');
  const expected = await logSeqs(alice.client, bandId, head);
  await Promise.all([tab1!, tab2!].map((page) => waitForSeqs(page, bandId, expected, 20_000)));
  // All three tabs (one watching nothing) moved to the same generation: one worker, one socket.
  const generations = await Promise.all(
    [tab1!, tab2!, tab3!].map((t) => t.evaluate(() => window.lab.generation())),
  );
  expect(new Set(generations).size).toBe(1);
  await expect
    .poll(async () => (await serverSockets(app)).filter((s) => s.userId === alice.userId).length)
    .toBe(1);
  await context.close();
});

test('a write made while the worker is dead is answered by its replacement and lands once', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bandId = await band(alice);
  const context = await newContext(browser);
  // Pings too rare to notice in time: the worker's life lock tells the tab it died.
  const [tab] = await tabs(context, 1, alice, { ping: 60_000 });
  await watch(tab!, bandId);
  expect(await closeSharedWorker(browser)).toBe(true);

  // Before the tab notices: this call goes to a worker that will never answer it.
  const songId = crypto.randomUUID();
  const entry = await tab!.evaluate(
    ([b, id]) =>
      window.lab.backline.write({
        kind: 'song.insert',
        songId: id!,
        bandId: b!,
        fields: { title: 'Mid-crash' },
      }),
    [bandId, songId],
  );
  expect(entry.record).toBe(songId);
  expect(await tab!.evaluate(() => window.lab.generation())).toBeGreaterThan(0);
  await expect
    .poll(async () => (await alice.client.from('songs').select('title').eq('id', songId)).data, {
      timeout: 15_000,
    })
    .toEqual([{ title: 'Mid-crash' }]);
  const { data: inserts } = await alice.client
    .from('band_events')
    .select('seq')
    .eq('record_id', songId)
    .eq('op', 'INSERT');
  expect(inserts).toHaveLength(1);
  await context.close();
});

test('a worker that dies while REST is down is replaced, and the tabs catch up once REST is back', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const bandId = await band(alice, [bob]);
  const context = await newContext(browser);
  const [tab1, tab2] = await tabs(context, 2, alice, { ping: 60_000 });
  const head = await watch(tab1!, bandId);
  await watch(tab2!, bandId);
  await addSong(bob, bandId, 'Before the crash');
  const before = await logSeqs(alice.client, bandId, head);
  await Promise.all([tab1!, tab2!].map((page) => waitForSeqs(page, bandId, before)));

  // REST is cut, so the new worker can neither read the band's head nor the tabs their gap.
  await chaos(app, { action: 'refuse', ms: 3000, scope: 'rest' });
  expect(await closeSharedWorker(browser)).toBe(true);
  for (const tab of [tab1!, tab2!]) {
    await expect
      .poll(() => tab.evaluate(() => window.lab.generation()), { timeout: 10_000 })
      .toBeGreaterThan(0);
  }
  // The new worker's watch and the tabs' resume both failed on REST; they must try again.
  await expect
    .poll(
      async () =>
        (await bob.client.from('songs').insert({ band_id: bandId, title: 'After REST is back' })).error,
      {
        timeout: 10_000,
      },
    )
    .toBeNull();
  const expected = await logSeqs(alice.client, bandId, head);
  await Promise.all([tab1!, tab2!].map((page) => waitForSeqs(page, bandId, expected, 20_000)));
  await context.close();
});

test('without SharedWorker the page falls back to per-tab mode with the same behaviour', async ({
  browser,
}) => {
  const alice = await member('alice');
  const bob = await member('bob');
  const bandId = await band(alice, [bob]);
  const context = await newContext(browser);
  await context.addInitScript(() => {
    delete (window as { SharedWorker?: unknown }).SharedWorker;
  });
  const [page] = await tabs(context, 1, alice);
  expect(await page!.evaluate(() => window.lab.mode())).toBe('tab');
  const head = await watch(page!, bandId);
  await addSong(bob, bandId, 'Per-tab works');
  await waitForSeqs(page!, bandId, await logSeqs(alice.client, bandId, head));
  await context.close();
});
