// How events reach tabs, behind one interface: a BroadcastChannel per user in shared mode (one
// post reaches every tab of the profile), or a direct call in per-tab mode, where a
// BroadcastChannel would also wake the other tabs' own brokers' listeners.
import type { AuthChange, BusEvent } from '../contract/protocol.js';
import { authChannel, busChannel } from '../contract/names.js';
import type { ChannelLike } from './environment.js';

export interface Fanout {
  publish(event: BusEvent): void;
  /** A scope's sign-in or sign-out, to that scope's tabs only. */
  publishAuth(change: AuthChange): void;
  close(): void;
}

export class BroadcastFanout implements Fanout {
  private readonly channels = new Map<string, ChannelLike>();

  constructor(private readonly channel: (name: string) => ChannelLike) {}

  publish(event: BusEvent): void {
    this.named(busChannel(event.userId)).postMessage(event);
  }

  publishAuth(change: AuthChange): void {
    this.named(authChannel(change.scope)).postMessage(change);
  }

  private named(name: string): ChannelLike {
    let channel = this.channels.get(name);
    if (!channel) this.channels.set(name, (channel = this.channel(name)));
    return channel;
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }
}

export class LocalFanout implements Fanout {
  constructor(
    private readonly deliver: (event: BusEvent) => void,
    private readonly deliverAuth: (change: AuthChange) => void = () => undefined,
  ) {}

  publish(event: BusEvent): void {
    this.deliver(event);
  }

  publishAuth(change: AuthChange): void {
    this.deliverAuth(change);
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
