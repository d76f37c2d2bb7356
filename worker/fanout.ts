// How events reach tabs, behind one interface, by two routes. Profile-wide events (connection,
// session, band lifecycle, outbox) reach every tab of the user: one post on the user's
// BroadcastChannel in shared mode. A band's stream (`band:event`, `band:live`, `band:caught-up`)
// reaches only the tabs watching the band: in shared mode each tab's own MessagePort, which it
// handed over at hello, one message per tab per burst (tab-bursts.ts). Ports won over a
// BroadcastChannel per band in the bench (bench/README.md): a port wakes one known tab, a
// channel wakes every listener of the name, and a tab watching three bands would get three
// messages per burst. In per-tab mode every event is a direct call.
import type { AuthChange, BandBusEvent, BandMessage, BusEvent } from '../contract/protocol.js';
import { authChannel, busChannel } from '../contract/names.js';
import type { ChannelLike } from './environment.js';
import { TabBursts, type Burst } from './tab-bursts.js';

/** The subset of a MessagePort the fanout uses. */
export interface PortLike {
  postMessage(message: unknown): void;
  close(): void;
}

export interface Fanout {
  /** A profile-wide event: every tab of its user. */
  publish(event: BusEvent): void;
  /** A scope's sign-in or sign-out, to that scope's tabs only. */
  publishAuth(change: AuthChange): void;
  /** A band's event: only `tabIds`, the tabs watching the band. `arrivedAt`: see BandMessage. */
  publishToTabs(tabIds: Iterable<string>, event: BandBusEvent, arrivedAt: number | undefined): void;
  /** The tab's own port for band events (shared mode). */
  connectTab(tabId: string, port: PortLike): void;
  /** The tab is gone: its port closes. */
  disconnectTab(tabId: string): void;
  close(): void;
}

/** The SharedWorker's: a BroadcastChannel per user (and per auth scope), and each tab's port for its bands. */
export class WorkerFanout implements Fanout {
  private readonly channels = new Map<string, ChannelLike>();
  private readonly ports = new Map<string, PortLike>();
  private readonly bursts = new TabBursts((tabId, burst) => this.send(tabId, burst));

  constructor(private readonly channel: (name: string) => ChannelLike) {}

  publish(event: BusEvent): void {
    this.named(busChannel(event.userId)).postMessage(event);
  }

  publishAuth(change: AuthChange): void {
    this.named(authChannel(change.scope)).postMessage(change);
  }

  publishToTabs(tabIds: Iterable<string>, event: BandBusEvent, arrivedAt: number | undefined): void {
    this.bursts.add(tabIds, event, arrivedAt);
  }

  connectTab(tabId: string, port: PortLike): void {
    this.disconnectTab(tabId);
    this.ports.set(tabId, port);
  }

  disconnectTab(tabId: string): void {
    this.bursts.drop(tabId);
    this.ports.get(tabId)?.close();
    this.ports.delete(tabId);
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    for (const tabId of [...this.ports.keys()]) this.disconnectTab(tabId);
  }

  private named(name: string): ChannelLike {
    let channel = this.channels.get(name);
    if (!channel) this.channels.set(name, (channel = this.channel(name)));
    return channel;
  }

  private send(tabId: string, { events, firstAt }: Burst): void {
    const message: BandMessage = firstAt === undefined ? { events } : { events, arrivedAt: firstAt };
    this.ports.get(tabId)?.postMessage(message);
  }
}

/**
 * Per-tab mode: the broker lives in its one tab, so every event is a direct call, band events
 * too whoever watches (the tab keeps only its watched bands' anyway); with nothing to cross, a
 * burst needs no gathering.
 */
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

  publishToTabs(_tabIds: Iterable<string>, event: BandBusEvent): void {
    this.deliver(event);
  }

  connectTab(): void {}

  disconnectTab(): void {}

  close(): void {}
}

type WithoutUser<E> = E extends BusEvent ? Omit<E, 'userId'> : never;

/** A bus event without its user, which the user's bus adds. */
export type UserEvent = WithoutUser<BusEvent>;

const BAND_SCOPED = new Set<BusEvent['type']>(['band:event', 'band:live', 'band:caught-up']);

const isBandScoped = (event: BusEvent): event is BandBusEvent => BAND_SCOPED.has(event.type);

/** When a frame reached this context, in epoch ms that every context of the profile shares. */
const arrivalStamp = (): number => performance.timeOrigin + performance.now();

/**
 * One user's side of the fanout: everything the user's session publishes carries their id, and a
 * band's events go to the tabs watching it (`watchers`). With `stampHops` (bench only) each band
 * event carries when it reached the broker: published in the task its frame arrived in.
 */
export class UserBus {
  constructor(
    private readonly fanout: Fanout,
    readonly userId: string,
    private readonly watchers: (bandId: string) => Iterable<string>,
    private readonly stampHops = false,
  ) {}

  publish(event: UserEvent): void {
    const full: BusEvent = { ...event, userId: this.userId };
    if (!isBandScoped(full)) return this.fanout.publish(full);
    const at = this.stampHops ? arrivalStamp() : undefined;
    this.fanout.publishToTabs(this.watchers(full.bandId), full, at);
  }
}
