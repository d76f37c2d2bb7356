// How a shared-mode broker learns that a tab is gone: it queues for the tab's own Web Lock, and
// is granted it once the tab's hold ends. The tab sends hello without waiting for its lock to be
// granted, so the broker must queue behind the tab's request, never ahead of it (it would be
// granted at once and take a live tab for gone). The broker core in Node with in-memory locks.
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../worker/broker.js';
import { LocalFanout } from '../../worker/fanout.js';
import { MemoryLocks } from '../support/memory-locks.js';
import { nodeEnvironment } from '../support/node-environment.js';

const opened: (() => void)[] = [];
afterEach(() => opened.splice(0).forEach((close) => close()));

function sharedBroker(locks: MemoryLocks): Broker {
  const broker = new Broker({
    mode: 'shared',
    modeReason: 'node test',
    generation: 0,
    environment: nodeEnvironment({ locks }),
    fanout: new LocalFanout(
      () => undefined,
      () => undefined,
    ),
    graceMs: 50,
    connection: {},
  });
  opened.push(() => broker.shutdown());
  return broker;
}

/** Whether the broker still knows the tab: a call only a known tab may make. */
async function knows(broker: Broker, tabId: string): Promise<boolean> {
  const { port1, port2 } = new MessageChannel();
  opened.push(() => (port1.close(), port2.close()));
  return (await broker.bandPort(tabId, port1)).ok;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The tab's hold on its lock, from when it asks; `release` ends it as a closed page would. */
function holdLock(locks: MemoryLocks, name: string): { release: () => void } {
  let release = (): void => undefined;
  void locks.request(name, {}, () => new Promise<void>((resolve) => (release = resolve)));
  return { release: () => release() };
}

describe('a tab’s life lock', () => {
  it('is queued for behind the tab’s own request, even when hello comes before it', async () => {
    const locks = new MemoryLocks();
    const broker = sharedBroker(locks);
    expect((await broker.hello('tab-1', 'lock-tab-1')).ok).toBe(true);
    // The tab's request has not reached the lock manager yet: the broker does not queue.
    await sleep(100);
    expect(locks.query().pending).toEqual([]);
    const tab = holdLock(locks, 'lock-tab-1');
    await sleep(60);
    expect(locks.query()).toEqual({
      held: [{ name: 'lock-tab-1', mode: 'exclusive' }],
      pending: [{ name: 'lock-tab-1', mode: 'exclusive' }],
    });
    expect(await knows(broker, 'tab-1')).toBe(true);
    tab.release();
    await sleep(0);
    expect(await knows(broker, 'tab-1')).toBe(false);
  });

  it('is queued for at once when the tab holds it already, and the tab is forgotten when it goes', async () => {
    const locks = new MemoryLocks();
    const broker = sharedBroker(locks);
    const tab = holdLock(locks, 'lock-tab-2');
    await broker.hello('tab-2', 'lock-tab-2');
    await sleep(0);
    expect(locks.query().pending).toEqual([{ name: 'lock-tab-2', mode: 'exclusive' }]);
    expect(await knows(broker, 'tab-2')).toBe(true);
    tab.release();
    await sleep(0);
    expect(await knows(broker, 'tab-2')).toBe(false);
  });
});
