// Shared mode: the broker in a SharedWorker named per generation; calls over its port with
// Comlink, events from one BroadcastChannel per user. Loads no realtime client in the tab.
import * as Comlink from 'comlink';
import type { BrokerApi, BusEvent, SessionScope } from '../../contract/protocol.js';
import { authChannel, busChannel, workerName } from '../../contract/names.js';
import type { Transport } from './transport.js';

export function sharedWorkerAvailable(): boolean {
  return typeof SharedWorker === 'function';
}

export class SharedTransport implements Transport {
  readonly mode = 'shared' as const;
  readonly broker: BrokerApi;
  private readonly worker: SharedWorker;

  constructor(
    readonly generation: number,
    readonly reason: string,
  ) {
    this.worker = new SharedWorker(new URL('../../worker/shared-worker.ts', import.meta.url), {
      type: 'module',
      name: workerName(generation),
    });
    this.broker = Comlink.wrap<BrokerApi>(this.worker.port);
  }

  listen(userId: string, handler: (event: BusEvent) => void): () => void {
    const channel = new BroadcastChannel(busChannel(userId));
    channel.onmessage = (message: MessageEvent<BusEvent>) => handler(message.data);
    return () => channel.close();
  }

  listenAuth(scope: SessionScope, handler: (change: unknown) => void): () => void {
    const channel = new BroadcastChannel(authChannel(scope));
    channel.onmessage = (message: MessageEvent<unknown>) => handler(message.data);
    return () => channel.close();
  }

  /**
   * Closes the port but does not release the proxy: a call made while a replacement is under way
   * then waits (and the client sends it again to the next worker) instead of throwing.
   */
  close(): void {
    this.worker.port.close();
  }
}
