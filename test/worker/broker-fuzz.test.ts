// Fuzzes the tab → broker boundary: every BrokerApi method, any argument shapes, in any order,
// from known, unknown and departed tabs, signed in, signed out and signed in as strangers, with
// the broker in Node against the real backend. Every call settles (bounded) to a Result with a
// code and a message, never a throw; afterwards a well-behaved tab on the same broker still signs
// in, watches a band and receives a new event exactly once. (Writes need IndexedDB: the browser
// half of this is e2e/fuzz-boundaries.e2e.ts.)
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../worker/broker.js';
import type { BrokerApi, BrokerErrorCode, BusEvent } from '../../contract/protocol.js';
import { bandWith, logSeqs, signedUpClient, until, type Client } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';
import { nodeBroker, type NodeBroker } from '../support/node-broker.js';

const backend = useBackend();
let alice: { client: Client; userId: string };
let aliceToken: string;
let bandId: string;
beforeAll(async () => {
  alice = await signedUpClient(backend, 'fuzz-alice');
  aliceToken = (await alice.client.auth.getSession()).data.session!.access_token;
  bandId = await bandWith(alice.client);
});

const newBroker = (): NodeBroker => nodeBroker();

// ── The calls ──

/** Placeholders, resolved when the call is made: the real project, token and band. */
const REAL = { url: 'URL', key: 'KEY', token: 'TOKEN', user: 'ALICE', band: 'BAND' } as const;
const junk = fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withMap: true, withSet: true });
const tabId = fc.oneof(
  fc.constantFrom('tab-a', 'tab-b', 'tab-gone', 'tab-never'),
  fc.string({ maxLength: 8 }),
  junk,
);
const band = fc.oneof(
  { weight: 3, arbitrary: fc.constant(REAL.band) },
  fc.uuid(),
  fc.string({ maxLength: 40 }),
  junk,
);
const session = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ userId: REAL.user, accessToken: REAL.token }) },
  fc.constant(null),
  fc.record({ userId: fc.uuid(), accessToken: fc.string({ minLength: 1, maxLength: 30 }) }),
  fc.record(
    { userId: fc.oneof(fc.constant(REAL.user), junk), accessToken: fc.oneof(fc.constant(REAL.token), junk) },
    { requiredKeys: [] },
  ),
  junk,
);
const config = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constant({ supabaseUrl: REAL.url, anonKey: REAL.key, heartbeatIntervalMs: 300 }),
  },
  fc.record(
    {
      supabaseUrl: fc.oneof(fc.constant(REAL.url), fc.webUrl(), junk),
      anonKey: fc.oneof(fc.constant(REAL.key), fc.string(), junk),
      heartbeatIntervalMs: fc.oneof(fc.integer(), junk),
      graceMs: fc.oneof(fc.integer(), junk),
      maxAttempts: fc.oneof(fc.integer(), junk),
      backoffBaseMs: fc.oneof(fc.integer(), junk),
      outboxBatchSize: fc.oneof(fc.integer(), junk),
    },
    { requiredKeys: [] },
  ),
  junk,
);
const write = fc.oneof(
  fc.record(
    {
      kind: fc.constantFrom(
        'song.insert',
        'song.update',
        'song.delete',
        'song.restore',
        'band.create',
        'band.join',
        'x',
      ),
      songId: fc.oneof(fc.uuid(), junk),
      bandId: fc.oneof(fc.constant(REAL.band), fc.uuid(), junk),
      baseVersion: fc.oneof(fc.integer(), junk),
      fields: fc.oneof(fc.record({ title: fc.string(), bpm: fc.integer() }, { requiredKeys: [] }), junk),
      name: fc.oneof(fc.string(), junk),
      code: fc.oneof(fc.string(), junk),
    },
    { requiredKeys: ['kind'] },
  ),
  junk,
);

type Call = { method: keyof BrokerApi; args: unknown[] };
const call = (method: keyof BrokerApi, ...args: fc.Arbitrary<unknown>[]): fc.Arbitrary<Call> =>
  fc.tuple(...args).map((values) => ({ method, args: values }));
const anyCall: fc.Arbitrary<Call> = fc.oneof(
  call('configure', config),
  { weight: 3, arbitrary: call('hello', tabId, fc.oneof(fc.constant('lock'), junk)) },
  { weight: 3, arbitrary: call('setSession', tabId, session) },
  { weight: 3, arbitrary: call('watchBand', tabId, band) },
  call('unwatchBand', tabId, band),
  call('eventsAfter', tabId, band, fc.oneof(fc.nat(), fc.integer(), junk)),
  call('bands', tabId),
  call('bandAdded', tabId, band),
  call('retry'),
  call('syncNow', tabId),
  call('networkChanged', fc.oneof(fc.boolean(), junk)),
  call('tabVisible'),
  call('write', tabId, write, fc.oneof(fc.uuid(), junk)),
  call('outbox', tabId),
  call(
    'resolveWrite',
    tabId,
    fc.oneof(fc.uuid(), junk),
    fc.oneof(fc.constantFrom('refresh', 'keep-mine', 'dismiss'), junk),
  ),
  call('diagnostics'),
  call('ping'),
  call('goodbye', tabId),
  call('bandPort', tabId, junk),
  // Junk arguments to methods that take none, and too few to those that take some.
  fc
    .tuple(
      fc.constantFrom<keyof BrokerApi>('retry', 'ping', 'diagnostics', 'watchBand', 'write'),
      fc.array(junk, { maxLength: 3 }),
    )
    .map(([method, args]) => ({ method, args })),
);

function resolved(value: unknown): unknown {
  const real: Record<string, string> = {
    [REAL.url]: backend.url,
    [REAL.key]: backend.anonKey,
    [REAL.token]: aliceToken,
    [REAL.user]: alice.userId,
    [REAL.band]: bandId,
  };
  if (typeof value === 'string') return real[value] ?? value;
  if (Array.isArray(value)) return value.map(resolved);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolved(v)]));
  return value;
}

const CODES: ReadonlySet<BrokerErrorCode> = new Set([
  'invalid_argument',
  'no_session',
  'unknown_tab',
  'not_member',
  'released',
  'internal',
]);
const NO_OUTBOX = 'this context has no IndexedDB for the outbox';
const SETTLE_MS = 10_000;

/** Makes the call as a tab would (any arguments), bounded: it must settle, and not by throwing. */
async function make(broker: Broker, { method, args }: Call): Promise<unknown> {
  const invoke = (...a: unknown[]): Promise<unknown> =>
    (broker[method] as (this: Broker, ...a: unknown[]) => Promise<unknown>).apply(broker, a);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${method} did not settle within ${SETTLE_MS} ms`)), SETTLE_MS);
  });
  try {
    return await Promise.race([invoke(...args.map(resolved)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Result, with a known code and a message; `internal` only where Node has no outbox. */
function isAnswer(method: keyof BrokerApi, result: unknown): void {
  if (method === 'ping') return void expect(result).toMatch(/^[0-9a-f-]{36}$/);
  if (method === 'diagnostics')
    return void expect(Array.isArray((result as { tabs: unknown }).tabs)).toBe(true);
  const answer = result as { ok: boolean; error?: { code: BrokerErrorCode; message: unknown } };
  expect(typeof answer.ok).toBe('boolean');
  if (answer.ok) return;
  expect(CODES.has(answer.error!.code)).toBe(true);
  expect(typeof answer.error!.message).toBe('string');
  expect(answer.error!.message).not.toBe('');
  if (answer.error!.code === 'internal') expect(answer.error!.message).toBe(NO_OUTBOX);
}

let songs = 0;
/** A well-behaved tab: hello, sign in, watch the band, and get the next write's event exactly once. */
async function wellBehavedTabWorks(broker: Broker, events: BusEvent[]): Promise<void> {
  const tab = `good-${++songs}`;
  expect(await broker.configure({ supabaseUrl: backend.url, anonKey: backend.anonKey })).toEqual({
    ok: true,
    value: null,
  });
  expect((await broker.hello(tab, `lock-${tab}`)).ok).toBe(true);
  expect((await broker.setSession(tab, { userId: alice.userId, accessToken: aliceToken })).ok).toBe(true);
  const live = await make(broker, { method: 'watchBand', args: [tab, bandId] });
  expect(live).toMatchObject({ ok: true, value: { bandId } });
  const { error } = await alice.client
    .from('songs')
    .insert({ band_id: bandId, title: `after fuzz ${songs}` });
  if (error) throw new Error(error.message);
  const head = (await logSeqs(alice.client, bandId, 0)).at(-1)!;
  const delivered = () =>
    events.filter((e) => e.type === 'band:event' && e.userId === alice.userId && e.event.seq === head).length;
  await until(() => delivered() > 0, 5000);
  expect(delivered()).toBe(1);
  // And the write path answers clearly here too (Node has no IndexedDB; the browser test sends it).
  const queued = await broker.write(
    tab,
    {
      kind: 'song.insert',
      songId: crypto.randomUUID(),
      bandId,
      fields: { title: 'queued' },
    },
    crypto.randomUUID(),
  );
  expect(queued).toEqual({ ok: false, error: { code: 'internal', message: NO_OUTBOX } });
}

describe('tab → broker calls, fuzzed', () => {
  it(
    'answers every call with a Result, and a well-behaved tab keeps working afterwards',
    { timeout: 60_000 },
    async () => {
      await fc.assert(
        // Some calls wait for their answer, some overlap with the ones after them, as tabs' calls do.
        fc.asyncProperty(
          fc.array(fc.tuple(anyCall, fc.boolean()), { minLength: 1, maxLength: 10 }),
          async (calls) => {
            const { broker, events } = newBroker();
            try {
              const overlapping: Promise<void>[] = [];
              for (const [c, overlap] of calls) {
                const answered = make(broker, c).then((result) => isAnswer(c.method, result));
                if (overlap) overlapping.push(answered);
                else await answered;
              }
              await Promise.all(overlapping);
              await wellBehavedTabWorks(broker, events);
            } finally {
              broker.shutdown();
            }
          },
        ),
        { numRuns: 40 },
      );
    },
  );
});

describe('regressions found by fuzzing', () => {
  it('refuses an edit that blanks a song title, which the schema would refuse only after queueing', async () => {
    // Found while fuzzing stored entries: an insert folded with a later { title: '' } edit became
    // an insert the validator itself refuses; the edit should never have been queued.
    const { broker } = newBroker();
    await broker.configure({ supabaseUrl: backend.url, anonKey: backend.anonKey });
    await broker.hello('tab-1', 'lock-1');
    await broker.setSession('tab-1', { userId: alice.userId, accessToken: aliceToken });
    for (const title of ['', '   ']) {
      const edit = {
        kind: 'song.update',
        songId: crypto.randomUUID(),
        bandId,
        baseVersion: 1,
        fields: { title },
      };
      expect(await broker.write('tab-1', edit, crypto.randomUUID())).toEqual({
        ok: false,
        error: { code: 'invalid_argument', message: 'title must not be blank' },
      });
    }
    broker.shutdown();
  });
});
