// The browser half of the fuzzing (#9), in real Chromium with the SharedWorker broker:
// - corrupt outbox records written straight into IndexedDB (fast-check, fixed seed) sit visibly
//   failed and are never sent, an entry in the first version's format still drains, the good
//   writes behind them land exactly once, and every corrupt one can be dismissed;
// - the SharedWorker's broker, called over its port with fuzzed arguments, answers every call
//   with a Result, and the tab then still signs in, watches, receives and writes exactly once;
// - junk on the outbox channel from a same-origin page is dropped and counted, never applied.
import { expect, test, type Page } from '@playwright/test';
import fc from 'fast-check';
import { client, signedUpClient } from '../test/support/backend.js';
import type { BacklineClient } from '../src/client/index.js';
import { OUTBOX_DATABASE, outboxChannel } from '../contract/names.js';
import type { BrokerApi } from '../contract/protocol.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { openLab, signIn, watch } from '../test/support/browser/lab.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

const service = () => client(app.backend, app.backend.serviceRoleKey);
const SEED = 20261125;

async function titlesIn(bandId: string): Promise<string[]> {
  const { data } = await service().from('songs').select('title').eq('band_id', bandId).order('title');
  return (data ?? []).map((s) => s.title);
}

interface Entry {
  entries: { id: string; status: string; error?: { code: string } }[];
}
const outboxOf = (page: Page): Promise<Entry['entries']> =>
  page.evaluate(() => window.lab.backline.outbox()) as Promise<Entry['entries']>;

/** Queues a new song in the tab's outbox, as the app's add-song form does. */
const queueSong = (page: Page, bandId: string, title: string): Promise<unknown> =>
  page.evaluate(
    ([b, t]) =>
      window.lab.backline.write({
        kind: 'song.insert',
        songId: crypto.randomUUID(),
        bandId: b!,
        fields: { title: t! },
      }),
    [bandId, title],
  );

/** A stored record with one required field of the wrong type; `id` kinds are made in the page. */
type Stored = Record<string, unknown> & { idKind?: 'number' | 'array' | 'date' };
const broken = (userId: string, bandId: string, onlyId = false): fc.Arbitrary<Stored> =>
  fc
    .record({
      field: onlyId
        ? fc.constant('id')
        : fc.constantFrom(
            'id',
            'order',
            'write',
            'status',
            'attempts',
            'notBefore',
            'createdAt',
            'error',
            'theirs',
            'fields',
          ),
      text: fc.string({ maxLength: 8 }),
      n: fc.integer({ min: 1, max: 1e6 }),
      idKind: fc.constantFrom('number' as const, 'array' as const, 'date' as const),
    })
    .map(({ field, text, n, idKind }) => {
      const songId = crypto.randomUUID();
      const record: Stored = {
        id: crypto.randomUUID(),
        order: n,
        userId,
        write: { kind: 'song.insert', songId, bandId, fields: { title: `corrupt ${songId}` } },
        record: songId,
        status: 'pending',
        attempts: 0,
        notBefore: 0,
        error: undefined,
        theirs: undefined,
        createdAt: n,
      };
      const wrong: Record<string, unknown> = {
        id: n,
        order: text,
        write: text,
        status: `not-${text}`,
        attempts: -n,
        notBefore: text,
        createdAt: null,
        error: { code: n },
        theirs: { version: text },
        fields: null,
      };
      if (field === 'fields') (record['write'] as Record<string, unknown>)['fields'] = null;
      else record[field] = wrong[field];
      if (field === 'id') record.idKind = idKind;
      return record;
    });

test('corrupt outbox records stay visible and unsent; an old-format entry and the writes behind them land once', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const user = await signedUpClient(app.backend, 'corrupt');
  const { data: band } = await user.client.rpc('create_band', { name: 'Corrupt', description: '' });
  const context = await browser.newContext();
  const page = await openLab(context, app, { transport: 'shared' });
  await signIn(page, user.email, user.password);
  await expect.poll(() => outboxOf(page)).toEqual([]);

  // Any field broken; and records under keys that are not id strings (numbers, arrays, dates),
  // which only their real key can delete.
  const corrupt = [
    ...fc.sample(broken(user.userId, band!.id), { seed: SEED, numRuns: 12 }),
    ...fc.sample(broken(user.userId, band!.id, true), { seed: SEED, numRuns: 6 }),
  ];
  expect(new Set(corrupt.map((r) => r.idKind).filter(Boolean))).toEqual(new Set(['number', 'array', 'date']));
  // The first outbox version stored no `record`; its entries must still drain.
  const oldSongId = crypto.randomUUID();
  const oldFormat = {
    id: crypto.randomUUID(),
    order: 0,
    userId: user.userId,
    write: { kind: 'song.insert', songId: oldSongId, bandId: band!.id, fields: { title: 'old format' } },
    status: 'sending',
    attempts: 1,
    notBefore: 0,
    error: undefined,
    theirs: undefined,
    createdAt: 0,
  };
  await page.evaluate(
    async ({ records, database }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(new Error(String(open.error)));
      });
      const tx = db.transaction('entries', 'readwrite');
      for (const { idKind, ...record } of records as Stored[]) {
        const n = record['id'] as number;
        if (idKind === 'array') record['id'] = [n, 'x'];
        if (idKind === 'date') record['id'] = new Date(n);
        tx.objectStore('entries').put(record);
      }
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(new Error(String(tx.error)));
      });
      db.close();
    },
    { records: [...corrupt, oldFormat], database: OUTBOX_DATABASE },
  );

  for (const title of ['good 1', 'good 2', 'good 3']) await queueSong(page, band!.id, title);

  await expect
    .poll(() => titlesIn(band!.id), { timeout: 30_000 })
    .toEqual(['good 1', 'good 2', 'good 3', 'old format']);
  // What is left is exactly the corrupt records, failed and readable as such, under stable ids.
  await expect
    .poll(async () => (await outboxOf(page)).map((e) => `${e.status} ${e.error?.code}`))
    .toEqual(corrupt.map(() => 'failed corrupt_entry'));
  const ids = (await outboxOf(page)).map((e) => e.id);
  expect((await outboxOf(page)).map((e) => e.id)).toEqual(ids);
  for (const id of ids)
    // The lab's typed view of the client leaves resolveWrite out; the client has it.
    await page.evaluate(
      (entryId) =>
        (window.lab.backline as unknown as Pick<BacklineClient, 'resolveWrite'>).resolveWrite(
          entryId,
          'dismiss',
        ),
      id,
    );
  await expect.poll(() => outboxOf(page)).toEqual([]);
  // Nothing corrupt was ever sent, and nothing landed twice.
  expect(await titlesIn(band!.id)).toEqual(['good 1', 'good 2', 'good 3', 'old format']);
  await context.close();
});

/** Calls the SharedWorker's broker over its port as a tab would; answers what came back, or the rejection. */
type Outcome = { method: string; answer: unknown } | { method: string; rejected: string };

test('the SharedWorker broker answers fuzzed calls over its port, and the tab still watches and writes once', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const user = await signedUpClient(app.backend, 'port-fuzz');
  const { data: band } = await user.client.rpc('create_band', { name: 'Port', description: '' });
  const context = await browser.newContext();
  const page = await openLab(context, app, { transport: 'shared' });
  await signIn(page, user.email, user.password);

  const junk = fc.jsonValue({ maxDepth: 2 });
  const tab = fc.oneof(fc.constantFrom('OWN', 'tab-other', 'tab-never'), fc.string({ maxLength: 6 }), junk);
  const bandArg = fc.oneof(fc.constant(band!.id), fc.uuid(), junk);
  const call = (method: keyof BrokerApi, ...args: fc.Arbitrary<unknown>[]) =>
    fc.tuple(...args).map((values) => ({ method, args: values }));
  const calls = fc.sample(
    fc.oneof(
      call('configure', junk),
      call('hello', fc.constantFrom('tab-other', 'tab-never'), fc.oneof(fc.constant('lock-x'), junk)),
      call(
        'setSession',
        tab,
        fc.oneof(fc.constant(null), junk, fc.record({ userId: fc.uuid(), accessToken: fc.string() })),
      ),
      call('watchBand', tab, bandArg),
      call('unwatchBand', tab, bandArg),
      call('eventsAfter', tab, bandArg, fc.oneof(fc.nat(), junk)),
      call('bands', tab),
      call('bandAdded', tab, bandArg),
      call(
        'write',
        tab,
        fc.oneof(
          junk,
          fc.record({
            kind: fc.constantFrom('song.insert', 'band.join'),
            bandId: bandArg,
            fields: junk,
            code: junk,
          }),
        ),
      ),
      call('outbox', tab),
      call('resolveWrite', tab, junk, junk),
      call('networkChanged', junk),
      call('retry'),
      call('syncNow', tab),
      call('goodbye', fc.constantFrom('tab-other', 'tab-never')),
    ),
    { seed: SEED, numRuns: 60 },
  );

  const outcomes = await page.evaluate(async (fuzzed) => {
    const backline = window.lab.backline as unknown as {
      tabId: string;
      transport: { broker: Record<string, (...a: unknown[]) => Promise<unknown>> };
    };
    const results: Outcome[] = [];
    for (const { method, args } of fuzzed) {
      const real = args.map((a) => (a === 'OWN' ? backline.tabId : a));
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no answer in 10 s')), 10_000),
      );
      try {
        results.push({
          method,
          answer: await Promise.race([backline.transport.broker[method]!(...real), timeout]),
        });
      } catch (error) {
        results.push({ method, rejected: String(error) });
      }
    }
    return results;
  }, calls);

  for (const outcome of outcomes) {
    expect(outcome, JSON.stringify(outcome)).not.toHaveProperty('rejected');
    const answer = (outcome as { answer: { ok: boolean; error?: { code: string; message: string } } }).answer;
    expect(typeof answer.ok, JSON.stringify(outcome)).toBe('boolean');
    if (!answer.ok) {
      expect(['invalid_argument', 'no_session', 'unknown_tab', 'not_member']).toContain(answer.error!.code);
      expect(answer.error!.message).not.toBe('');
    }
  }

  // The tab signs in again (the fuzz may have signed it out or switched its user), watches, hears, writes.
  await signIn(page, user.email, user.password);
  const head = await watch(page, band!.id);
  await user.client.from('songs').insert({ band_id: band!.id, title: 'heard' });
  await expect.poll(() => page.evaluate((b) => window.lab.seqs(b), band!.id)).toEqual([head + 1]);
  await queueSong(page, band!.id, 'written');
  await expect.poll(() => titlesIn(band!.id), { timeout: 30_000 }).toEqual(['heard', 'written']);
  await expect.poll(() => page.evaluate((b) => window.lab.seqs(b), band!.id)).toEqual([head + 1, head + 2]);
  await context.close();
});

test('junk posted on the outbox channel by a same-origin page is ignored and counted, and writes still land', async ({
  browser,
}) => {
  const user = await signedUpClient(app.backend, 'outbox-junk');
  const { data: band } = await user.client.rpc('create_band', { name: 'Junk', description: '' });
  const context = await browser.newContext();
  const page = await openLab(context, app, { transport: 'shared' });
  const userId = await signIn(page, user.email, user.password);
  const channel = outboxChannel(userId);
  const forged = {
    id: 'forged',
    order: 1,
    userId: crypto.randomUUID(), // another user's entry
    write: {
      kind: 'song.insert',
      songId: crypto.randomUUID(),
      bandId: band!.id,
      fields: { title: 'Forged' },
    },
    record: 'x',
    status: 'failed',
    attempts: 1,
    notBefore: 0,
    createdAt: 0,
  };
  const junk = [
    'hello',
    { type: 'nope' },
    { type: 'entries' },
    { type: 'entries', changes: [{ entry: { id: 'half' }, removed: true }] },
    { type: 'entries', changes: [{ entry: forged, removed: false }] },
  ];
  // The worker opens the user's outbox (and its channel) after sign-in; a BroadcastChannel post
  // reaches only contexts listening already, so wait for the outbox to answer first.
  expect(await outboxOf(page)).toEqual([]);
  await page.evaluate(
    ({ name, messages }) => {
      const w = window as unknown as { heard: number };
      w.heard = 0;
      window.lab.backline.on('outbox:changed', () => w.heard++);
      const channel = new BroadcastChannel(name);
      for (const message of messages) channel.postMessage(message);
      channel.close();
    },
    { name: channel, messages: junk },
  );
  const dropped = () =>
    page.evaluate(async () => (await window.lab.backline.diagnostics()).users[0]?.outboxJunkDropped);
  await expect.poll(dropped).toBe(junk.length);
  expect(await page.evaluate(() => (window as unknown as { heard: number }).heard)).toBe(0);
  expect(await outboxOf(page)).toEqual([]);

  // The outbox itself is unharmed: a real write is queued, heard by the tab and lands.
  await queueSong(page, band!.id, 'Real');
  await expect.poll(() => titlesIn(band!.id)).toEqual(['Real']);
  expect(await page.evaluate(() => (window as unknown as { heard: number }).heard)).toBeGreaterThan(0);
  await context.close();
});
