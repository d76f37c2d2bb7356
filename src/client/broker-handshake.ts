// How a tab registers with one broker: it asks for a Web Lock named after itself, held for as long
// as the page lives (the broker queues behind it to learn the tab is gone), then sends configure
// and hello without waiting for it, then opens the route for its bands' events, each within the
// start deadline, then tells what the tab has (the caller's `register`). Also the deadline itself.
import { tabLock } from '../../contract/names.js';
import type { BrokerConfig } from '../../contract/protocol.js';
import type { Locks, Timers } from './environment.js';
import { BacklineError, unwrap } from './errors.js';
import type { Transport } from './transport.js';

/** A broker the tab has registered with, and the lock it holds for as long as it lives (shared mode). */
export interface Joined {
  transport: Transport;
  lifeLock: string | null;
  /** The broker's instance id (Hello.instance): another one answering later means it restarted. */
  instance: string;
}

export interface Handshake {
  tabId: string;
  config: BrokerConfig;
  /**
   * How long configure, hello and the band route may take. A broker just started answers its
   * first call only once it has fetched and run its code and taken its life lock: seconds on a
   * busy machine or a slow phone, well past a ping's deadline. A worker whose script fails to
   * load ends the wait at once (Transport.failed).
   */
  startTimeoutMs: number;
  timers: Timers;
  /** Tells the broker what the tab has (session, watched bands) before calls go to it. */
  register: (transport: Transport) => Promise<void>;
}

/**
 * Asks for the tab's Web Lock, held until the answered release (a page leaving for the
 * back/forward cache) or for as long as the page lives. Before any hello: the broker queues for
 * it only once it sees this request (held or waiting), so it never comes first.
 */
export function holdTabLock(locks: Locks, tabId: string): () => void {
  const abort = new AbortController();
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  locks.request(tabLock(tabId), { signal: abort.signal }, () => held).catch(() => undefined);
  return () => {
    abort.abort(); // still waiting: the request goes
    release(); // granted: the lock goes
  };
}

/**
 * Opens a transport and registers the tab with its broker; closes it again if that fails. Also
 * registers again with a broker that forgot the tab (`open` answers the transport it has).
 */
export async function joinBroker(
  open: () => Transport | Promise<Transport>,
  { tabId, config, startTimeoutMs, timers, register }: Handshake,
): Promise<Joined> {
  const transport = await open();
  const started = <T>(promise: Promise<T>): Promise<T> =>
    withTimeout(Promise.race([promise, transport.failed]), startTimeoutMs, timers);
  try {
    // Posted back to back: the port keeps their order, so hello is handled after configure.
    const configured = started(transport.broker.configure(config));
    configured.catch(() => undefined); // awaited below
    const hello = started(transport.broker.hello(tabId, tabLock(tabId)));
    hello.catch(() => undefined); // awaited below; unheard if configure failed first
    unwrap(await configured);
    const { lifeLock, instance } = unwrap(await hello);
    // Before register: the bands it watches again send their events on this route.
    await started(transport.openBandRoute(tabId));
    await register(transport);
    return { transport, lifeLock, instance };
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
