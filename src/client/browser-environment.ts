// The browser under the tab client, in one place: the environment worker succession runs on
// (SharedWorker or per-tab transports, localStorage, the control BroadcastChannel, Web Locks,
// timers), and the page events the broker hears of (online, offline, visible, pagehide).
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
    control: new BroadcastChannel(CONTROL_CHANNEL),
    locks: navigator.locks,
    timers: browserTimers,
  };
}

/** Tells the current broker of the page's events; returns the undo. */
export function watchPage(broker: () => BrokerApi, tabId: string): () => void {
  const online = (): void => void broker().networkChanged(true);
  const offline = (): void => void broker().networkChanged(false);
  const visible = (): void => {
    if (document.visibilityState === 'visible') void broker().tabVisible();
  };
  const goodbye = (): void => void broker().goodbye(tabId);
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  document.addEventListener('visibilitychange', visible);
  window.addEventListener('pagehide', goodbye);
  return () => {
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
    document.removeEventListener('visibilitychange', visible);
    window.removeEventListener('pagehide', goodbye);
  };
}
