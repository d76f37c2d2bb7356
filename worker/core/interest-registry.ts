// Which tab watches which band: plain data, ref-counted across tabs. A band nobody watches is
// released only after a grace period (a reload re-watches it within milliseconds), decided by
// `expired(now)` so tests drive time by hand.

export class InterestRegistry {
  private readonly bandsByTab = new Map<string, Set<string>>();
  private readonly refs = new Map<string, number>();
  private readonly idleSince = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  /** Returns true when the band was not subscribed before (not watched, not in grace). */
  watch(tabId: string, bandId: string): boolean {
    let bands = this.bandsByTab.get(tabId);
    if (!bands) this.bandsByTab.set(tabId, (bands = new Set()));
    if (bands.has(bandId)) return false;
    bands.add(bandId);
    const wasHeld = this.isHeld(bandId);
    this.refs.set(bandId, (this.refs.get(bandId) ?? 0) + 1);
    this.idleSince.delete(bandId);
    return !wasHeld;
  }

  /** Keeps a band subscribed for one grace period with no tab watching (a band just joined). */
  keepForGrace(bandId: string, now: number): boolean {
    if (this.isHeld(bandId)) return false;
    this.idleSince.set(bandId, now);
    return true;
  }

  unwatch(tabId: string, bandId: string, now: number): void {
    const bands = this.bandsByTab.get(tabId);
    if (!bands?.delete(bandId)) return;
    if (bands.size === 0) this.bandsByTab.delete(tabId);
    this.decrement(bandId, now);
  }

  /** A tab closed or died: all its interest goes. */
  releaseTab(tabId: string, now: number): void {
    const bands = this.bandsByTab.get(tabId);
    if (!bands) return;
    this.bandsByTab.delete(tabId);
    for (const bandId of bands) this.decrement(bandId, now);
  }

  /** Bands idle for a whole grace period; they are forgotten and should be unsubscribed. */
  expired(now: number): string[] {
    const gone: string[] = [];
    for (const [bandId, since] of this.idleSince) {
      if (now - since >= this.graceMs) gone.push(bandId);
    }
    for (const bandId of gone) this.idleSince.delete(bandId);
    return gone;
  }

  /** The earliest time a band in grace expires, for the one timer the broker keeps. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const since of this.idleSince.values()) next = Math.min(next ?? Infinity, since + this.graceMs);
    return next;
  }

  /** A band the user left: no tab may keep it. Returns the tabs that watched it. */
  forget(bandId: string): string[] {
    const tabs: string[] = [];
    for (const [tabId, bands] of this.bandsByTab) {
      if (bands.delete(bandId)) tabs.push(tabId);
      if (bands.size === 0) this.bandsByTab.delete(tabId);
    }
    this.refs.delete(bandId);
    this.idleSince.delete(bandId);
    return tabs;
  }

  isHeld(bandId: string): boolean {
    return (this.refs.get(bandId) ?? 0) > 0 || this.idleSince.has(bandId);
  }

  watchers(bandId: string): number {
    return this.refs.get(bandId) ?? 0;
  }

  /** The tabs watching the band now (each once). */
  *tabsWatching(bandId: string): Iterable<string> {
    for (const [tabId, bands] of this.bandsByTab) if (bands.has(bandId)) yield tabId;
  }

  tabs(): Map<string, string[]> {
    return new Map([...this.bandsByTab].map(([tabId, bands]) => [tabId, [...bands]]));
  }

  private decrement(bandId: string, now: number): void {
    const left = (this.refs.get(bandId) ?? 1) - 1;
    if (left > 0) {
      this.refs.set(bandId, left);
      return;
    }
    this.refs.delete(bandId);
    this.idleSince.set(bandId, now);
  }
}
