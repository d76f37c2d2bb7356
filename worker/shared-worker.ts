// The SharedWorker entry: one broker per browser profile (and worker generation), exposed to
// every tab's port with Comlink; events reach tabs over one BroadcastChannel per user, and a band's
// events over the ports of the tabs watching it (fanout.ts).
/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { Broker } from './broker.js';
import { workerGeneration, workerLifeLock } from '../contract/names.js';
import type { BrokerApi } from '../contract/protocol.js';
import { browserEnvironment } from './environment.js';
import { WorkerFanout } from './fanout.js';
import { amnesiac } from './faults/amnesia.js';

declare const self: SharedWorkerGlobalScope;
/** Set by the e2e tests' build only (test/support/browser/app.ts); false, and tree-shaken, elsewhere. */
declare const __BACKLINE_FAULTS__: boolean;

// Tabs move to the next generation's name when this instance stops answering.
const generation = workerGeneration(self.name);
const environment = browserEnvironment();

// Held for this worker's whole life: tabs queue for it and are granted it the moment the worker
// dies (crashed, killed, closed), so they move on at once instead of at their next ping.
const lifeLock = workerLifeLock(generation);
const held = new Promise<void>((resolve) => {
  void environment.locks.request(lifeLock, {}, () => {
    resolve();
    return new Promise<never>(() => undefined);
  });
});

const start = (): Broker =>
  new Broker({
    lifeLock: { name: lifeLock, held },
    mode: 'shared',
    modeReason: 'SharedWorker is available',
    generation,
    environment,
    fanout: new WorkerFanout(environment.channel),
    graceMs: 5000,
    connection: {},
  });

let broker: BrokerApi;
// Guarded by typeof: a build that forgot the define runs without faults rather than failing.
if (typeof __BACKLINE_FAULTS__ === 'boolean' && __BACKLINE_FAULTS__) {
  // The e2e tests' way to make this worker forget everything (over the DevTools protocol).
  const amnesia = amnesiac(start);
  Object.assign(self, { backlineFaults: { forget: () => amnesia.forget() } });
  broker = amnesia.api;
} else {
  broker = start();
}

self.addEventListener('connect', (event) => {
  const [port] = event.ports;
  if (port) Comlink.expose(broker, port);
});
