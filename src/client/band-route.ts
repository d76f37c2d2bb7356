// A tab's route for the band events of the bands it watches: its own end of a MessageChannel,
// whose other end the broker is handed (BrokerApi.bandPort). A new channel at each registration:
// a worker that restarted with empty state lost the port it had. What hears it survives the swap.
export class BandRoute {
  private port: MessagePort | undefined;
  private handler: ((message: MessageEvent<unknown>) => void) | null = null;

  /** From now on `handler` hears the route (null: nothing does). */
  hear(handler: ((message: MessageEvent<unknown>) => void) | null): void {
    this.handler = handler;
    if (this.port) this.port.onmessage = handler;
  }

  /** Closes the route there was and opens a new one: the port to hand the broker. */
  open(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.port?.close();
    this.port = port1;
    port1.onmessage = this.handler;
    return port2;
  }

  close(): void {
    this.port?.close();
  }
}
