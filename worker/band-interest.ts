// Which bands the user's tabs want subscribed, and for how long: the interest registry (plain
// data, core/interest-registry.ts) and the one grace timer that releases a band nobody has
// watched for a whole grace period. The band feed follows: a band watched or kept is subscribed,
// one let go is released, one RLS refuses is forgotten so no tab keeps it.
import type { BandLive } from '../contract/protocol.js';
import { BandRefused } from './band-feed.js';
import { InterestRegistry } from './core/interest-registry.js';
import type { Clock } from './environment.js';
import { BrokerFailure } from './validate.js';

/** What interest asks of the band feed. */
export interface BandFollower {
  whenLive(bandId: string): Promise<BandLive>;
  release(bandId: string, reason: Error): void;
}

export class BandInterest {
  private readonly registry: InterestRegistry;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    graceMs: number,
    private readonly clock: Clock,
    private readonly feed: BandFollower,
  ) {
    this.registry = new InterestRegistry(graceMs);
  }

  /** A tab shows the band: resolves once it is live. */
  watch(tabId: string, bandId: string): Promise<BandLive> {
    this.registry.watch(tabId, bandId);
    return this.follow(bandId);
  }

  unwatch(tabId: string, bandId: string): void {
    this.registry.unwatch(tabId, bandId, this.clock.now());
    this.scheduleGrace();
  }

  /** A tab closed or died, or signed in as someone else: all its interest goes. */
  releaseTab(tabId: string): void {
    this.registry.releaseTab(tabId, this.clock.now());
    this.scheduleGrace();
  }

  /** A band just created or joined: subscribed now, kept a grace period with no tab. False if held already. */
  keepForGrace(bandId: string): boolean {
    if (!this.registry.keepForGrace(bandId, this.clock.now())) return false;
    this.scheduleGrace();
    void this.follow(bandId).catch(() => undefined);
    return true;
  }

  /** The user left the band: no tab may keep it, and it is released at once. */
  drop(bandId: string, reason: Error): void {
    this.registry.forget(bandId);
    this.feed.release(bandId, reason);
  }

  watchers(bandId: string): number {
    return this.registry.watchers(bandId);
  }

  /** The tabs watching the band: the only ones its events go to. */
  tabsWatching(bandId: string): Iterable<string> {
    return this.registry.tabsWatching(bandId);
  }

  /** The bands of each tab. */
  tabs(): Map<string, string[]> {
    return this.registry.tabs();
  }

  stop(): void {
    clearTimeout(this.graceTimer);
  }

  private follow(bandId: string): Promise<BandLive> {
    return this.feed.whenLive(bandId).catch((error: unknown) => {
      if (error instanceof BandRefused) this.registry.forget(bandId);
      throw error;
    });
  }

  private scheduleGrace(): void {
    clearTimeout(this.graceTimer);
    const next = this.registry.nextExpiry();
    if (next === undefined) return;
    this.graceTimer = setTimeout(
      () => {
        for (const bandId of this.registry.expired(this.clock.now()))
          this.feed.release(
            bandId,
            new BrokerFailure('released', `no tab watched band ${bandId} for the grace period`),
          );
        this.scheduleGrace();
      },
      Math.max(0, next - this.clock.now()),
    );
  }
}
