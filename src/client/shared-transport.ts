// Shared mode: the broker in a SharedWorker named per generation; calls over its port with
// Comlink, profile-wide events from one BroadcastChannel per user, and the band events of the
// bands this tab watches on a MessagePort of its own (handed to the worker after hello). Loads no
// realtime client in the tab.
import * as Comlink from 'comlink';
import type { BandMessage, BrokerApi, BusEvent, SessionScope } from '../../contract/protocol.js';
import { HOP_MEASURE, authChannel, busChannel, workerName } from '../../contract/names.js';
import { BandRoute } from './band-route.js';
import { BacklineError, unwrap } from './errors.js';
import type { Transport } from './transport.js';

export function sharedWorkerAvailable(): boolean {
  return typeof SharedWorker === 'function';
}

/** A band message as the worker posts it; the port is this tab's alone, but the shape is checked. */
const isBandMessage = (data: unknown): data is BandMessage =>
  typeof data === 'object' && data !== null && Array.isArray((data as { events?: unknown }).events);

export class SharedTransport implements Transport {
  readonly mode = 'shared' as const;
  readonly broker: BrokerApi;
  readonly failed: Promise<never>;
  private readonly worker: SharedWorker;
  private readonly bands = new BandRoute();

  constructor(
    readonly generation: number,
    readonly reason: string,
  ) {
    this.worker = new SharedWorker(new URL('../../worker/shared-worker.ts', import.meta.url), {
      type: 'module',
      name: workerName(generation),
    });
    this.broker = Comlink.wrap<BrokerApi>(this.worker.port);
    // The browser fires `error` at the SharedWorker when its script cannot be fetched or run.
    this.failed = new Promise<never>((_, reject) =>
      this.worker.addEventListener('error', () =>
        reject(new BacklineError('worker_failed', 'the SharedWorker could not load its script')),
      ),
    );
    this.failed.catch(() => undefined); // raced by the handshake; unheard once it is over
  }

  listen(userId: string, handler: (events: readonly BusEvent[]) => void): () => void {
    const channel = new BroadcastChannel(busChannel(userId));
    channel.onmessage = (message: MessageEvent<BusEvent>) => handler([message.data]);
    this.bands.hear(({ data }: MessageEvent<unknown>) => {
      if (!isBandMessage(data)) return;
      handler(data.events);
      // Bench only (BrokerConfig.hopStamps): frame in the worker → this tab's handlers have run.
      if (data.arrivedAt !== undefined)
        performance.measure(HOP_MEASURE, { start: data.arrivedAt - performance.timeOrigin });
    });
    return () => {
      channel.close();
      this.bands.hear(null);
    };
  }

  async openBandRoute(tabId: string): Promise<void> {
    const port2 = this.bands.open();
    unwrap(await this.broker.bandPort(tabId, Comlink.transfer(port2, [port2])));
  }

  listenAuth(scope: SessionScope, handler: (change: unknown) => void): () => void {
    const channel = new BroadcastChannel(authChannel(scope));
    channel.onmessage = (message: MessageEvent<unknown>) => handler(message.data);
    return () => channel.close();
  }

  /**
   * Closes the ports but does not release the proxy: a call made while a replacement is under way
   * then waits (and the client sends it again to the next worker) instead of throwing.
   */
  close(): void {
    this.worker.port.close();
    this.bands.close();
  }
}
