// Band events reach only the tabs watching the band, counted where they enter the page: every
// message on any MessagePort or BroadcastChannel the page listens to with `onmessage` (the band
// port and the user's bus; Comlink's calls use addEventListener and are not counted).
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { bandWith, signedUpClient, type Client } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { openLab, signIn, waitForSeqs, watch, type LabOptions } from '../test/support/browser/lab.js';
import { logSeqs } from '../test/support/backend.js';

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

async function tab(context: BrowserContext, user: Member, options: LabOptions = {}): Promise<Page> {
  const page = await openLab(context, app, options);
  await signIn(page, user.email, user.password);
  return page;
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

async function addSong(writer: Member, bandId: string, title: string): Promise<void> {
  const { error } = await writer.client.from('songs').insert({ band_id: bandId, title });
  if (error) throw new Error(error.message);
}

test('a tab hears only the bands it watches: no message for another band’s events, nor another user’s', async ({
  browser,
}) => {
  const alice = await signedUpClient(app.backend, 'alice');
  const bob = await signedUpClient(app.backend, 'bob');
  const [bandA, bandB] = [await bandWith(alice.client), await bandWith(alice.client)];
  const bobBand = await bandWith(bob.client);
  const context = await browser.newContext();
  await context.addInitScript(recordMessages);
  // Alice in two tabs of the profile; Bob in a third, with a session of his own (?storage=session).
  const watchesA = await tab(context, alice);
  const watchesB = await tab(context, alice);
  const bobTab = await tab(context, bob, { storage: 'session' });
  const headA = await watch(watchesA, bandA);
  const headB = await watch(watchesB, bandB);
  const bobHead = await watch(bobTab, bobBand);

  // A's songs first, then B's and Bob's: every message is posted in order, so anything of A's
  // bound for the other tabs would have reached them before what they wait for.
  await addSong(alice, bandA, 'For the A tab');
  await waitForSeqs(watchesA, bandA, await logSeqs(alice.client, bandA, headA));
  await addSong(alice, bandB, 'For the B tab');
  await addSong(bob, bobBand, 'For Bob');
  await waitForSeqs(watchesB, bandB, await logSeqs(alice.client, bandB, headB));
  await waitForSeqs(bobTab, bobBand, await logSeqs(bob.client, bobBand, bobHead));

  const heardByB = await bandEventsHeard(watchesB);
  expect(heardByB.filter(([type, , band]) => type === 'band:event' && band === bandB).length).toBeGreaterThan(
    0,
  );
  expect(heardByB.filter(([, , band]) => band === bandA)).toEqual([]);
  const heardByBob = await bandEventsHeard(bobTab);
  expect(heardByBob.filter(([, user]) => user === alice.userId)).toEqual([]);
  expect(heardByBob.filter(([, , band]) => band !== bobBand)).toEqual([]);
  const heardByA = await bandEventsHeard(watchesA);
  expect(heardByA.filter(([, , band]) => band !== bandA)).toEqual([]);
  await context.close();
});
