// BroadcastChannels of one browser profile, in memory: a post reaches every other open channel of
// the same name (never the poster), as a structured clone, after the poster's code has run.
// Delivery is a microtask, so tests on fake timers see it without advancing the clock; Node's own
// BroadcastChannel delivers only when the event loop turns.
import type { ChannelLike } from '../../worker/environment.js';

export class MemoryChannels {
  private readonly open = new Set<MemoryChannel>();

  /** Every message posted, by channel name, in order: what another page of the origin would hear. */
  readonly posted: { name: string; message: unknown }[] = [];

  channel = (name: string): ChannelLike => {
    const channel = new MemoryChannel(name, this);
    this.open.add(channel);
    return channel;
  };

  /** @internal */
  deliver(from: MemoryChannel, message: unknown): void {
    this.posted.push({ name: from.name, message });
    for (const to of this.open)
      if (to !== from && to.name === from.name) queueMicrotask(() => to.receive(structuredClone(message)));
  }

  /** @internal */
  closed(channel: MemoryChannel): void {
    this.open.delete(channel);
  }
}

class MemoryChannel implements ChannelLike {
  onmessage: ((event: MessageEvent<unknown>) => void) | null = null;
  private isOpen = true;

  constructor(
    readonly name: string,
    private readonly profile: MemoryChannels,
  ) {}

  postMessage(message: unknown): void {
    if (!this.isOpen) throw new DOMException('BroadcastChannel is closed.', 'InvalidStateError');
    this.profile.deliver(this, message);
  }

  close(): void {
    this.isOpen = false;
    this.profile.closed(this);
  }

  receive(data: unknown): void {
    if (this.isOpen) this.onmessage?.(new MessageEvent('message', { data }));
  }
}
