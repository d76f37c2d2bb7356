// The tab → broker boundary: any argument shape, any order, answered with an error value.
import { describe, expect, it } from 'vitest';
import { Broker } from '../../worker/broker.js';
import { LocalFanout } from '../../worker/fanout.js';
import type { BusEvent } from '../../contract/protocol.js';
import { nodeEnvironment } from '../support/node-environment.js';

function broker(): { broker: Broker; events: BusEvent[] } {
  const events: BusEvent[] = [];
  const instance = new Broker({
    mode: 'tab',
    modeReason: 'test',
    generation: 0,
    environment: nodeEnvironment(),
    fanout: new LocalFanout((event) => events.push(event)),
    graceMs: 10,
    connection: {},
  });
  return { broker: instance, events };
}

const BAND = '6f1c3c8e-2b7a-4d0e-9a51-0c9e8c1b2a3d';

describe('broker boundary', () => {
  it('refuses calls from a tab that never said hello', async () => {
    const { broker: b } = broker();
    expect(await b.watchBand('tab-1', BAND)).toEqual({
      ok: false,
      error: { code: 'unknown_tab', message: 'call hello() first' },
    });
  });

  it('refuses "sync now" from a tab with no signed-in user, and from one that never said hello', async () => {
    const { broker: b } = broker();
    await b.hello('tab-1', 'lock-1');
    const result = await b.syncNow('tab-1');
    expect(!result.ok && result.error.code).toBe('no_session');
    const stranger = await b.syncNow('tab-2');
    expect(!stranger.ok && stranger.error.code).toBe('unknown_tab');
  });

  it('refuses the band list to a tab with no signed-in user, and to one that never said hello', async () => {
    const { broker: b } = broker();
    await b.hello('tab-1', 'lock-1');
    expect(await b.bands('tab-1')).toMatchObject({ ok: false, error: { code: 'no_session' } });
    expect(await b.bands('tab-2')).toMatchObject({ ok: false, error: { code: 'unknown_tab' } });
    expect(await b.bands({ tabId: 'tab-1' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
  });

  it('refuses watching before a session is set', async () => {
    const { broker: b } = broker();
    await b.configure({ supabaseUrl: 'http://127.0.0.1:1', anonKey: 'key' });
    await b.hello('tab-1', 'lock-1');
    const result = await b.watchBand('tab-1', BAND);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('no_session');
  });

  it.each([
    ['a number as tab id', (b: Broker) => b.hello(42, 'lock')],
    ['an empty tab id', (b: Broker) => b.hello('', 'lock')],
    ['a tab id with spaces', (b: Broker) => b.hello('tab one', 'lock')],
    ['no lock name', (b: Broker) => b.hello('tab-1', undefined)],
    ['a band id that is not a uuid', (b: Broker) => b.watchBand('tab-1', "1'; drop table")],
    ['a session without a token', (b: Broker) => b.setSession('tab-1', { userId: BAND })],
    [
      'a session with a bad user id',
      (b: Broker) => b.setSession('tab-1', { userId: 'me', accessToken: 'x' }),
    ],
    ['a session that is a string', (b: Broker) => b.setSession('tab-1', 'token')],
    ['online that is not a boolean', (b: Broker) => b.networkChanged('yes')],
    ['sync now for a tab id that is an object', (b: Broker) => b.syncNow({ tabId: 'tab-1' })],
    ['a config without a URL', (b: Broker) => b.configure({ anonKey: 'k' })],
    [
      'a config with a javascript: URL',
      (b: Broker) => b.configure({ supabaseUrl: 'javascript:alert(1)', anonKey: 'k' }),
    ],
    [
      'a config with an absurd heartbeat',
      (b: Broker) => b.configure({ supabaseUrl: 'http://x', anonKey: 'k', heartbeatIntervalMs: -5 }),
    ],
    ['a resume from a negative seq', (b: Broker) => b.eventsAfter('tab-1', crypto.randomUUID(), -1)],
    ['a resume from a seq that is text', (b: Broker) => b.eventsAfter('tab-1', crypto.randomUUID(), '0')],
    [
      'a write of an unknown kind',
      (b: Broker) => b.write('tab-1', { kind: 'band.drop', bandId: 'x' }, crypto.randomUUID()),
    ],
    [
      'a band created without a name',
      (b: Broker) =>
        b.write(
          'tab-1',
          { kind: 'band.create', bandId: crypto.randomUUID(), name: '  ' },
          crypto.randomUUID(),
        ),
    ],
    [
      'a join with a code that is not one',
      (b: Broker) => b.write('tab-1', { kind: 'band.join', code: "x' or 1=1" }, crypto.randomUUID()),
    ],
    [
      'a new song without a title',
      (b: Broker) =>
        b.write(
          'tab-1',
          {
            kind: 'song.insert',
            songId: crypto.randomUUID(),
            bandId: crypto.randomUUID(),
            fields: {},
          },
          crypto.randomUUID(),
        ),
    ],
    [
      'a write under an entry id that is not a uuid',
      (b: Broker) =>
        b.write('tab-1', { kind: 'song.delete', songId: BAND, bandId: BAND, baseVersion: 1 }, 'entry-1'),
    ],
    [
      'a config with an outbox batch of zero',
      (b: Broker) => b.configure({ supabaseUrl: 'http://x', anonKey: 'k', outboxBatchSize: 0 }),
    ],
    [
      'a config with a fractional outbox batch',
      (b: Broker) => b.configure({ supabaseUrl: 'http://x', anonKey: 'k', outboxBatchSize: 2.5 }),
    ],
    [
      'a config with no join budget',
      (b: Broker) => b.configure({ supabaseUrl: 'http://x', anonKey: 'k', joinsPerSecond: 0 }),
    ],
    [
      'a config with a join budget over the pro plan’s 500/s',
      (b: Broker) => b.configure({ supabaseUrl: 'http://x', anonKey: 'k', joinsPerSecond: 501 }),
    ],
    [
      'a config whose hopStamps is not a boolean',
      (b: Broker) => b.configure({ supabaseUrl: 'http://x', anonKey: 'k', hopStamps: 'yes' }),
    ],
    [
      'a band port that is not a MessagePort',
      (b: Broker) => b.bandPort('tab-1', { postMessage: () => undefined, close: () => undefined }),
    ],
  ])('answers %s with invalid_argument', async (_name, call) => {
    const { broker: b } = broker();
    await b.hello('tab-1', 'lock-1');
    const result = await call(b);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('invalid_argument');
  });

  it('keeps serving after bad calls', async () => {
    const { broker: b } = broker();
    await b.hello(null, null);
    await b.setSession(undefined, {});
    expect(await b.hello('tab-2', 'lock-2')).toEqual({
      ok: true,
      value: { generation: 0, instance: b.instance, mode: 'tab', lifeLock: null },
    });
    expect((await b.diagnostics()).tabs.map((t) => t.tabId)).toEqual(['tab-2']);
  });

  it('refuses a second Supabase project in the same broker', async () => {
    const { broker: b } = broker();
    expect((await b.configure({ supabaseUrl: 'http://127.0.0.1:1', anonKey: 'a' })).ok).toBe(true);
    const other = await b.configure({ supabaseUrl: 'http://127.0.0.1:2', anonKey: 'a' });
    expect(!other.ok && other.error.message).toMatch(/another Supabase project/);
  });

  it('forgets a tab that says goodbye', async () => {
    const { broker: b } = broker();
    await b.hello('tab-1', 'lock-1');
    await b.goodbye('tab-1');
    expect((await b.diagnostics()).tabs).toEqual([]);
  });
});
