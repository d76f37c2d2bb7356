// The tab client in Node: BacklineClient on a "shared worker" that is an amnesiac broker
// (worker/faults/amnesia.ts) in this process, reached the way a SharedWorker is: calls straight
// to it (where a browser has Comlink), the user's events on BroadcastChannels and each tab's band
// events on a MessagePort of its own. The broker runs in shared mode: it follows the tab's Web
// Lock (in-memory locks both share) and the tab pings it. realtime-js over `ws` against the real
// local backend.
import WebSocket from 'ws';
import type { WebSocketLikeConstructor } from '@supabase/realtime-js';
import { Broker } from '../../worker/broker.js';
import type { BackoffPolicy } from '../../worker/core/backoff.js';
import { WorkerFanout } from '../../worker/fanout.js';
import { amnesiac, type Amnesia } from '../../worker/faults/amnesia.js';
import type { BandMessage, BrokerApi, BusEvent } from '../../contract/protocol.js';
import { authChannel, busChannel } from '../../contract/names.js';
import { BandRoute } from '../../src/client/band-route.js';
import { unwrap } from '../../src/client/errors.js';
import { BacklineClient } from '../../src/client/backline.js';
import type { BacklineOptions } from '../../src/client/options.js';
import { browserTimers } from '../../src/client/browser-environment.js';
import type { SuccessionEnvironment } from '../../src/client/environment.js';
import type { Transport } from '../../src/client/transport.js';
import type { Backend } from './backend.js';
import { MemoryLocks } from './memory-locks.js';
import { nodeEnvironment, type NodeEnvironmentOptions } from './node-environment.js';

export interface NodeProfile {
  /** The worker every tab of the profile talks to; `forget()` restarts it empty behind the same ports. */
  worker: Amnesia;
  /** A tab: the client, on its own (app) session. */
  openTab(
    session: { userId: string; accessToken: string },
    options?: Partial<BacklineOptions>,
  ): Promise<BacklineClient>;
  close(): void;
}

const QUICK: BackoffPolicy = { baseMs: 50, factor: 2, capMs: 500, maxAttempts: 50 };

export interface NodeProfileOptions extends NodeEnvironmentOptions {
  /** The broker's reconnect backoff (a quick one by default; the bench passes the product's). */
  policy?: BackoffPolicy;
}

export function nodeProfile(
  backend: Pick<Backend, 'url' | 'anonKey'>,
  { policy = QUICK, ...environment }: NodeProfileOptions = {},
): NodeProfile {
  const locks = environment.locks ?? new MemoryLocks();
  const brokerEnvironment = nodeEnvironment({ ...environment, locks });
  const worker = amnesiac(
    () =>
      new Broker({
        mode: 'shared',
        modeReason: 'node test',
        generation: 0,
        environment: brokerEnvironment,
        fanout: new WorkerFanout(brokerEnvironment.channel),
        graceMs: 50,
        connection: { transport: WebSocket as unknown as WebSocketLikeConstructor, policy },
      }),
  );
  const transports: Transport[] = [];
  const clients: BacklineClient[] = [];
  const channels: BroadcastChannel[] = [];
  let stored = 0;
  const tabEnvironment = (): SuccessionEnvironment => {
    const name = `control-${crypto.randomUUID()}`;
    const control = (): BroadcastChannel => {
      const channel = new BroadcastChannel(name);
      channels.push(channel);
      return channel;
    };
    return {
      transports: {
        sharedWorkerAvailable: true,
        shared: () => {
          const transport = portTransport(worker.api);
          transports.push(transport);
          return transport;
        },
        tab: () => Promise.reject(new Error('a node profile has no per-tab mode')),
      },
      generations: { get: () => stored, set: (generation) => (stored = generation) },
      control,
      locks,
      timers: browserTimers,
    };
  };
  return {
    worker,
    async openTab(session, options = {}) {
      const client = await BacklineClient.connectIn(tabEnvironment(), {
        supabaseUrl: backend.url,
        anonKey: backend.anonKey,
        auth: 'app',
        transport: 'shared',
        heartbeatIntervalMs: 300,
        pingIntervalMs: 100,
        pingTimeoutMs: 2000,
        ...options,
      });
      clients.push(client);
      await client.setSession(session);
      return client;
    },
    close() {
      clients.forEach((client) => client.close());
      channels.forEach((channel) => channel.close());
      transports.forEach((transport) => transport.close());
      worker.broker.shutdown();
    },
  };
}

/**
 * A tab's end, as SharedTransport has it in a browser: the user's events on BroadcastChannels
 * (Node has them), the band events of the bands this tab watches on a MessagePort of its own,
 * a new one at each registration.
 */
function portTransport(broker: BrokerApi): Transport {
  const route = new BandRoute();
  const channels = new Set<BroadcastChannel>();
  const open = (name: string, handler: (data: unknown) => void): (() => void) => {
    const channel = new BroadcastChannel(name);
    channel.onmessage = (message: MessageEvent<unknown>) => handler(message.data);
    channels.add(channel);
    return () => {
      channel.close();
      channels.delete(channel);
    };
  };
  return {
    mode: 'shared',
    reason: 'node test',
    generation: 0,
    broker,
    failed: new Promise<never>(() => undefined),
    listen(userId, handler) {
      const stop = open(busChannel(userId), (event) => handler([event as BusEvent]));
      route.hear((message) => handler((message.data as BandMessage).events));
      return () => {
        stop();
        route.hear(null);
      };
    },
    listenAuth: (scope, handler) => open(authChannel(scope), handler),
    async openBandRoute(tabId) {
      unwrap(await broker.bandPort(tabId, route.open()));
    },
    close() {
      route.close();
      channels.forEach((channel) => channel.close());
    },
  };
}
