import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BacklineError } from '../../src/client/errors.js';
import { nextGeneration, requestedGeneration } from '../../src/client/worker-succession.js';
import { FakeProfile, PING, START_TIMEOUT_MS, type FakeTab } from './fake-profile.js';

const write = { kind: 'song.delete', songId: 's', bandId: 'b', baseVersion: 1 } as const;
const entryId = crypto.randomUUID();
const sentOf = (profile: FakeProfile, method: string): string[] =>
  profile.transports.filter((t) => t.sent.includes(method)).map((t) => `${t.mode} ${t.generation}`);

let profile: FakeProfile;
beforeEach(() => {
  vi.useFakeTimers();
  profile = new FakeProfile();
});
afterEach(() => {
  profile.close();
  vi.useRealTimers();
});

async function tabs(count: number): Promise<FakeTab[]> {
  const opened: FakeTab[] = [];
  for (let i = 1; i <= count; i++) opened.push(await profile.openTab(`tab ${i}`));
  return opened;
}

describe('worker succession', () => {
  it('starts on the SharedWorker of the generation the profile stored', async () => {
    profile.stored = 4;
    const [tab] = await tabs(1);
    expect(tab!.state.kind).toBe('attached');
    expect(tab!.moves).toEqual(['shared 4']);
  });

  it('a worker slower to start than a ping deadline is waited for, not left for per-tab mode', async () => {
    // A cold SharedWorker fetches and runs its code before it answers: seconds on a busy machine.
    const answerHello = profile.worker(0).holdHello();
    const opening = profile.openTab('tab 1');
    await vi.advanceTimersByTimeAsync(6 * PING.pingTimeoutMs);
    answerHello();
    const tab = await opening;
    expect(tab.moves).toEqual(['shared 0']);
    expect(tab.state.kind).toBe('attached');
  });

  it('a worker that never answers is left for per-tab mode at the start deadline', async () => {
    profile.broken.add(0);
    let opened: FakeTab | undefined;
    void profile.openTab('tab 1').then((tab) => (opened = tab));
    await vi.advanceTimersByTimeAsync(START_TIMEOUT_MS - 1);
    expect(opened).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(opened?.moves).toEqual(['tab 0']);
    expect(opened?.succession.transport.reason).toMatch(
      /^SharedWorker failed to start: .*no answer in 4000 ms/,
    );
  });

  it('a worker whose script fails to load is left for per-tab mode at once', async () => {
    profile.unloadable.add(0);
    const [tab] = await tabs(1);
    expect(tab!.moves).toEqual(['tab 0']);
    expect(tab!.succession.transport.reason).toMatch(/could not load its script/);
  });

  it('when the worker dies (its life lock is freed), every tab moves to the next generation, once', async () => {
    const open = await tabs(3);
    profile.worker(0).kill();
    await Promise.all(open.map((tab) => tab.movedTo('shared 1')));
    await vi.advanceTimersByTimeAsync(20 * PING.pingIntervalMs);
    expect(open.map((tab) => tab.moves)).toEqual(Array(3).fill(['shared 0', 'shared 1']));
    expect(profile.opened.filter((o) => o.endsWith('shared 1'))).toEqual([
      'tab 1 shared 1',
      'tab 2 shared 1',
      'tab 3 shared 1',
    ]);
    expect(profile.stored).toBe(1);
  });

  it('when the worker stops answering pings in every tab at once, all agree on one next generation', async () => {
    const open = await tabs(3);
    profile.worker(0).hang();
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs + PING.pingTimeoutMs);
    await Promise.all(open.map((tab) => tab.movedTo('shared 1')));
    await vi.advanceTimersByTimeAsync(20 * PING.pingIntervalMs);
    expect(open.map((tab) => tab.moves)).toEqual(Array(3).fill(['shared 0', 'shared 1']));
    expect(profile.stored).toBe(1);
  });

  it('tabs whose pings time out before they hear each other still agree on one next generation', async () => {
    const open = await tabs(3);
    const sendControlMessages = profile.holdControlMessages();
    profile.worker(0).hang();
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs + PING.pingTimeoutMs);
    sendControlMessages();
    await Promise.all(open.map((tab) => tab.movedTo('shared 1')));
    await vi.advanceTimersByTimeAsync(20 * PING.pingIntervalMs);
    expect(open.map((tab) => tab.moves)).toEqual(Array(3).fill(['shared 0', 'shared 1']));
    expect(profile.stored).toBe(1);
  });

  it('a worker that dies after its tabs moved on moves them nowhere', async () => {
    const open = await tabs(2);
    profile.worker(0).hang();
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs + PING.pingTimeoutMs);
    await Promise.all(open.map((tab) => tab.movedTo('shared 1')));
    profile.worker(0).kill();
    await vi.advanceTimersByTimeAsync(20 * PING.pingIntervalMs);
    expect(open.map((tab) => tab.moves)).toEqual(Array(2).fill(['shared 0', 'shared 1']));
  });

  it('a tab that finds the worker silent takes the other tabs with it (control message)', async () => {
    const first = await profile.openTab('tab 1');
    const others = [
      await profile.openTab('tab 2', { pingIntervalMs: 600_000 }),
      await profile.openTab('tab 3', { pingIntervalMs: 600_000 }),
    ];
    profile.worker(0).hang();
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs + PING.pingTimeoutMs);
    await Promise.all([first, ...others].map((tab) => tab.movedTo('shared 1')));
    expect(profile.stored).toBe(1);
    expect(others.map((tab) => tab.moves)).toEqual(Array(2).fill(['shared 0', 'shared 1']));
  });

  it('a tab that asked for per-tab mode stays in it when the other tabs move to a new worker', async () => {
    const shared = await profile.openTab('tab 1');
    const perTab = await profile.openTab('tab 2', { transport: 'tab' });
    profile.worker(0).hang();
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs + PING.pingTimeoutMs);
    await shared.movedTo('shared 1');
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs);
    expect(perTab.moves).toEqual(['tab 0']);
    expect(perTab.state.kind).toBe('attached');
  });

  it('a call made while the replacement is under way goes to the replacement once, not to the dead worker', async () => {
    const [tab] = await tabs(1);
    const answerHello = profile.worker(1).holdHello();
    profile.worker(0).kill();
    await vi.waitFor(() => expect(tab!.state.kind).toBe('replacing'));
    const answer = tab!.succession.call((broker) => broker.write('tab 1', write, entryId));
    await vi.advanceTimersByTimeAsync(PING.pingTimeoutMs / 2);
    expect(sentOf(profile, 'write')).toEqual([]);
    answerHello();
    await expect(answer).resolves.toEqual([]);
    expect(sentOf(profile, 'write')).toEqual(['shared 1']);
    expect(profile.worker(1).calls.filter((call) => call === 'write')).toHaveLength(1);
  });

  it('a call in flight when the worker dies goes again to the replacement, once', async () => {
    const [tab] = await tabs(1);
    profile.worker(0).hang();
    const answer = tab!.succession.call((broker) => broker.write('tab 1', write, entryId));
    profile.worker(0).kill();
    await expect(answer).resolves.toEqual([]);
    expect(sentOf(profile, 'write')).toEqual(['shared 0', 'shared 1']);
    expect(profile.worker(1).calls.filter((call) => call === 'write')).toHaveLength(1);
  });

  it('a replacement that fails to start falls back to per-tab mode at its generation', async () => {
    profile.broken.add(1);
    const [tab] = await tabs(1);
    profile.worker(0).kill();
    await vi.waitFor(() => expect(tab!.state.kind).toBe('replacing'));
    await vi.advanceTimersByTimeAsync(START_TIMEOUT_MS);
    await tab!.movedTo('tab 1');
    const { transport } = tab!.succession;
    expect(transport.reason).toMatch(/^the replacement worker failed too: .*no answer in 4000 ms/);
    expect(profile.transports.find((t) => t.mode === 'shared' && t.generation === 1)?.closed).toBe(true);
    await expect(tab!.succession.call((broker) => broker.write('tab 1', write, entryId))).resolves.toEqual(
      [],
    );
    expect(sentOf(profile, 'write')).toEqual(['tab 1']);
    expect(profile.stored).toBe(1);
  });

  it('a replacement whose per-tab fallback fails too leaves the tab closed: calls are refused, not lost in silence', async () => {
    profile.broken.add(1);
    profile.tabFailure = new Error('no broker module');
    const [tab] = await tabs(1);
    profile.worker(0).kill();
    await vi.waitFor(() => expect(tab!.state.kind).toBe('replacing'));
    await vi.advanceTimersByTimeAsync(START_TIMEOUT_MS);
    expect(tab!.state.kind).toBe('closed');
    const refused = tab!.succession.call((broker) => broker.write('tab 1', write, entryId));
    await expect(refused).rejects.toBeInstanceOf(BacklineError);
    await expect(refused).rejects.toMatchObject({ code: 'closed' });
  });

  it('moves to the generation the profile already went to, or one past its own', () => {
    expect(nextGeneration(0, 0)).toBe(1);
    expect(nextGeneration(0, 1)).toBe(1);
    expect(nextGeneration(3, 1)).toBe(4);
  });

  it('reads a generation only from a control message that carries one', () => {
    expect(requestedGeneration({ generation: 2 })).toBe(2);
    expect([null, 'x', {}, { generation: '2' }, { generation: 1.5 }].map(requestedGeneration)).toEqual(
      Array(5).fill(undefined),
    );
  });
});

describe('a worker that restarts with empty state behind the same port', () => {
  const countOf = (calls: string[], method: string): number => calls.filter((c) => c === method).length;

  it('is registered with again at the next ping, which answers another instance, on the same port', async () => {
    const [tab] = await tabs(1);
    profile.worker(0).forget();
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs);
    await vi.waitFor(() => expect(tab!.registrations).toEqual(['shared 0', 'shared 0']));
    expect(tab!.state.kind).toBe('attached');
    expect(tab!.succession.repairs).toBe(1);
    // No new worker, no other tab moved: the same transport, told everything again.
    expect(profile.opened).toEqual(['tab 1 shared 0']);
    expect(profile.stored).toBe(0);
    expect(countOf(profile.worker(0).calls, 'hello')).toBe(2);
    await vi.advanceTimersByTimeAsync(5 * PING.pingIntervalMs);
    expect(tab!.succession.repairs).toBe(1);
  });

  it('a call it answers with unknown_tab makes the tab register again, and goes again, once', async () => {
    const [tab] = await tabs(1);
    profile.worker(0).forget();
    const answer = tab!.succession.call((broker) => broker.write('tab 1', write, entryId));
    await expect(answer).resolves.toEqual([]);
    const { calls } = profile.worker(0);
    expect(calls.slice(calls.indexOf('write'))).toEqual(['write', 'configure', 'hello', 'write']);
    expect(tab!.registrations).toEqual(['shared 0', 'shared 0']);
  });

  it('only the tab that met it registers again; every other tab does at its own first sign', async () => {
    const [first, second] = await tabs(2);
    profile.worker(0).forget();
    await first!.succession.call((broker) => broker.outbox('tab 1'));
    expect(first!.registrations).toHaveLength(2);
    expect(second!.registrations).toHaveLength(1);
    await second!.succession.call((broker) => broker.outbox('tab 2'));
    expect(second!.registrations).toHaveLength(2);
  });

  it('one that forgets the tab again at once is answered with its error, not asked forever', async () => {
    const [tab] = await tabs(1);
    profile.worker(0).amnesiac = true;
    profile.worker(0).forget();
    const answer = tab!.succession.call((broker) => broker.outbox('tab 1'));
    await expect(answer).rejects.toMatchObject({ code: 'unknown_tab' });
    expect(countOf(profile.worker(0).calls, 'outbox')).toBe(3);
  });

  it('no_session counts as forgotten only while the tab acts for a signed-in user', async () => {
    const [tab] = await tabs(1);
    const answer = tab!.succession.call(() =>
      Promise.resolve({ ok: false, error: { code: 'no_session', message: 'signed out' } }),
    );
    await expect(answer).rejects.toMatchObject({ code: 'no_session' });
    expect(tab!.succession.repairs).toBe(0);
  });
});

describe('a page in the back/forward cache', () => {
  /** The locks the page still holds or waits for (a cached page holding one is evicted when it is wanted). */
  const tabLocks = (tab: string): string[] => {
    const { held, pending } = profile.locks.query();
    return [...held, ...pending].map((lock) => lock.name).filter((name) => name.includes(tab));
  };

  it('leaves its broker at once and holds nothing another context could want', async () => {
    const [tab] = await tabs(1);
    expect(tabLocks('tab 1')).toEqual(['backline:tab:tab 1']);
    tab!.succession.suspend();
    expect(tab!.state.kind).toBe('suspended');
    const [transport] = profile.transports;
    expect(transport!.sent.at(-1)).toBe('goodbye');
    expect(transport!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(tabLocks('tab 1')).toEqual([]);
    // No ping goes while it is cached, and the worker's death moves it nowhere.
    await vi.advanceTimersByTimeAsync(5 * PING.pingIntervalMs);
    profile.worker(0).kill();
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs);
    expect(tab!.state.kind).toBe('suspended');
    expect(profile.opened).toEqual(['tab 1 shared 0']);
  });

  it('registers anew when shown again, and a call made while cached goes there once', async () => {
    const [tab] = await tabs(1);
    tab!.succession.suspend();
    const answer = tab!.succession.call((broker) => broker.write('tab 1', write, entryId));
    await vi.advanceTimersByTimeAsync(10 * PING.pingIntervalMs);
    expect(sentOf(profile, 'write')).toEqual([]);
    tab!.succession.resume();
    await expect(answer).resolves.toEqual([]);
    expect(tab!.state.kind).toBe('attached');
    expect(tab!.registrations).toEqual(['shared 0', 'shared 0']);
    expect(profile.opened).toEqual(['tab 1 shared 0', 'tab 1 shared 0']);
    expect(profile.worker(0).calls.filter((call) => call === 'write')).toHaveLength(1);
    expect(tab!.succession.transport.reason).toBe('the page came back from the back/forward cache');
    expect(tabLocks('tab 1')).toEqual(['backline:tab:tab 1']);
  });

  it('a call in flight when the page is cached goes again once it is shown', async () => {
    const [tab] = await tabs(1);
    profile.worker(0).hang();
    const answer = tab!.succession.call((broker) => broker.write('tab 1', write, entryId));
    tab!.succession.suspend();
    profile.worker(0).health = 'alive';
    tab!.succession.resume();
    await expect(answer).resolves.toEqual([]);
    expect(sentOf(profile, 'write')).toEqual(['shared 0', 'shared 0']);
    expect(profile.worker(0).calls.filter((call) => call === 'write')).toHaveLength(2);
  });

  it('hears no control message while cached, and comes back to the generation the profile moved to', async () => {
    const [cached, other] = await tabs(2);
    cached!.succession.suspend();
    profile.worker(0).kill();
    await other!.movedTo('shared 1');
    await vi.advanceTimersByTimeAsync(PING.pingIntervalMs);
    expect(cached!.state.kind).toBe('suspended');
    cached!.succession.resume();
    await cached!.movedTo('shared 1');
    expect(cached!.moves).toEqual(['shared 0', 'shared 1']);
    expect(profile.stored).toBe(1);
  });

  it('a page in per-tab mode comes back in per-tab mode, with a broker of its own again', async () => {
    const tab = await profile.openTab('tab 1', { transport: 'tab' });
    tab.succession.suspend();
    expect(profile.transports[0]!.closed).toBe(true);
    tab.succession.resume();
    await vi.waitFor(() => expect(tab.moves).toEqual(['tab 0', 'tab 0']));
    expect(profile.opened).toEqual(['tab 1 tab 0', 'tab 1 tab 0']);
  });

  it('closed while cached: a call waiting for the page to be shown is refused', async () => {
    const [tab] = await tabs(1);
    tab!.succession.suspend();
    const answer = tab!.succession.call((broker) => broker.outbox('tab 1'));
    tab!.succession.close();
    await expect(answer).rejects.toMatchObject({ code: 'closed' });
  });
});
