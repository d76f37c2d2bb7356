// The browser under the tab client, in one place: the environment worker succession runs on
// (SharedWorker or per-tab transports, localStorage, the control BroadcastChannel, Web Locks,
// timers), and the page events the broker hears of (online, offline, visible, pagehide, pageshow).
import { CONTROL_CHANNEL, GENERATION_KEY } from '../../contract/names.js';
import type { BrokerApi } from '../../contract/protocol.js';
import type { SuccessionEnvironment, Timers } from './environment.js';
import { SharedTransport, sharedWorkerAvailable } from './shared-transport.js';
import { createTabTransport } from './tab-transport.js';

export const browserTimers: Timers = {
  after(ms, run) {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
  every(ms, run) {
    const timer = setInterval(run, ms);
    return () => clearInterval(timer);
  },
};

export function browserEnvironment(): SuccessionEnvironment {
  return {
    transports: {
      sharedWorkerAvailable: sharedWorkerAvailable(),
      shared: (generation, reason) => new SharedTransport(generation, reason),
      tab: (reason, generation) => createTabTransport(reason, generation),
    },
    generations: {
      get: () => Number(localStorage.getItem(GENERATION_KEY) ?? 0),
      set: (generation) => localStorage.setItem(GENERATION_KEY, String(generation)),
    },
    control: () => new BroadcastChannel(CONTROL_CHANNEL),
    locks: navigator.locks,
    timers: browserTimers,
  };
}

/** What the page's events go to: the tab client. */
export interface PageClient {
  readonly tabId: string;
  /** The broker the tab talks to now. */
  readonly broker: BrokerApi;
  suspend(): void;
  resume(): void;
}

/**
 * Tells the tab client of the page's events; returns the undo. A page hidden for good says
 * goodbye; one going into the back/forward cache suspends, and resumes when it is shown again.
 */
export function watchPage(client: PageClient): () => void {
  const online = (): void => void client.broker.networkChanged(true);
  const offline = (): void => void client.broker.networkChanged(false);
  const visible = (): void => {
    if (document.visibilityState === 'visible') void client.broker.tabVisible();
  };
  const hidden = (event: PageTransitionEvent): void => {
    if (event.persisted) client.suspend();
    else void client.broker.goodbye(client.tabId);
  };
  const shown = (event: PageTransitionEvent): void => {
    if (event.persisted) client.resume();
  };
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  document.addEventListener('visibilitychange', visible);
  window.addEventListener('pagehide', hidden);
  window.addEventListener('pageshow', shown);
  return () => {
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
    document.removeEventListener('visibilitychange', visible);
    window.removeEventListener('pagehide', hidden);
    window.removeEventListener('pageshow', shown);
  };
}
