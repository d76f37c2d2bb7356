// How a tab registers with one broker: it holds a Web Lock named after itself for as long as the
// page lives (the broker waits on it to learn the tab is gone), then configure and hello, each
// given a deadline, then the route for its bands' events, then what the tab has (the caller's `register`). Also the deadline itself.
import { tabLock } from '../../contract/names.js';
import type { BrokerConfig } from '../../contract/protocol.js';
import type { Locks, Timers } from './environment.js';
import { BacklineError, unwrap } from './errors.js';
import type { Transport } from './transport.js';

/** A broker the tab has registered with, and the lock it holds for as long as it lives (shared mode). */
export interface Joined {
  transport: Transport;
  lifeLock: string | null;
}

export interface Handshake {
  tabId: string;
  config: BrokerConfig;
  /** How long configure and hello may take. */
  timeoutMs: number;
  timers: Timers;
  /** Settles once the tab holds its lock (holdTabLock). */
  locked: Promise<void>;
  /** Tells the broker what the tab has (session, watched bands) before calls go to it. */
  register: (transport: Transport) => Promise<void>;
}

/** Holds the tab's Web Lock for as long as the page lives; resolves once it is held. */
export function holdTabLock(locks: Locks, tabId: string): Promise<void> {
  return new Promise((held) => {
    void locks.request(tabLock(tabId), {}, () => {
      held();
      return new Promise<never>(() => undefined);
    });
  });
}

/** Opens a transport and registers the tab with its broker; closes it again if that fails. */
export async function joinBroker(
  open: () => Transport | Promise<Transport>,
  { tabId, config, timeoutMs, timers, locked, register }: Handshake,
): Promise<Joined> {
  const transport = await open();
  try {
    // Posted back to back: the port keeps their order, so hello is handled after configure.
    const configured = withTimeout(transport.broker.configure(config), timeoutMs, timers);
    configured.catch(() => undefined); // awaited below, after the lock
    await locked;
    const hello = withTimeout(transport.broker.hello(tabId, tabLock(tabId)), timeoutMs, timers);
    hello.catch(() => undefined); // awaited below; unheard if configure failed first
    unwrap(await configured);
    const { lifeLock } = unwrap(await hello);
    // Before register: the bands it watches again send their events on this route.
    await withTimeout(transport.openBandRoute(tabId), timeoutMs, timers);
    await register(transport);
    return { transport, lifeLock };
  } catch (error) {
    transport.close();
    throw error;
  }
}

/** The promise's answer, or a `timeout` BacklineError once `ms` have passed without one. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, timers: Timers): Promise<T> {
  let cancel = (): void => undefined;
  const timeout = new Promise<never>((_, reject) => {
    cancel = timers.after(ms, () => reject(new BacklineError('timeout', `no answer in ${ms} ms`)));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    cancel();
  }
}
