// How events reach tabs, behind one interface: a BroadcastChannel per user in shared mode (one
// post reaches every tab of the profile), or a direct call in per-tab mode, where a
// BroadcastChannel would also wake the other tabs' own brokers' listeners.
import type { BusEvent } from '../contract/protocol.js';
import { busChannel } from '../contract/names.js';
import type { ChannelLike } from './environment.js';

export interface Fanout {
  publish(event: BusEvent): void;
  close(): void;
}

export class BroadcastFanout implements Fanout {
  private readonly channels = new Map<string, ChannelLike>();

  constructor(private readonly channel: (name: string) => ChannelLike) {}

  publish(event: BusEvent): void {
    let channel = this.channels.get(event.userId);
    if (!channel) this.channels.set(event.userId, (channel = this.channel(busChannel(event.userId))));
    channel.postMessage(event);
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }
}

export class LocalFanout implements Fanout {
  constructor(private readonly deliver: (event: BusEvent) => void) {}

  publish(event: BusEvent): void {
    this.deliver(event);
  }

  close(): void {}
}

type WithoutUser<E> = E extends BusEvent ? Omit<E, 'userId'> : never;

/** A bus event without its user, which the user's bus adds. */
export type UserEvent = WithoutUser<BusEvent>;

/** One user's side of the fanout: everything the user's session publishes carries their id. */
export class UserBus {
  constructor(
    private readonly fanout: Fanout,
    readonly userId: string,
  ) {}

  publish(event: UserEvent): void {
    this.fanout.publish({ ...event, userId: this.userId });
  }
}
