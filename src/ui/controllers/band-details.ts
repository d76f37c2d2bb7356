// The band's own row and its members, from the broker's answer to the page's watch (its band
// cache, no request of the tab's own) and kept live from the band's events: for the heading, the member list, who changed what, and whether invites are this
// user's to make. A member joining or leaving while the page is open is said once, quietly
// (`notice`, for a polite status line: others' changes never toast).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Band, BandMembership, BandRows } from '../../client/index.js';
import type { Services } from '../services.js';

export class BandDetails implements ReactiveController {
  band: Band | undefined;
  /** Members by user id, in the order they joined. */
  members: ReadonlyMap<string, BandMembership> = new Map();
  /** The signed-in user, once read: their own changes are never someone else's. */
  userId: string | undefined;
  /** The latest "Bob joined" or "Bob left" since the page opened. */
  notice: string | undefined;
  /** Names of everyone seen a member while the page was open: a song Bob edited stays his after he leaves. */
  private readonly names = new Map<string, string>();
  private readonly stop: (() => void)[] = [];

  constructor(
    private readonly host: ReactiveControllerHost & { readonly services: Services; readonly bandId: string },
  ) {
    host.addController(this);
  }

  /** This user's role in the band, once read. */
  get role(): BandMembership['role'] | undefined {
    return this.userId ? this.members.get(this.userId)?.role : undefined;
  }

  /** A member's name as the band knows it; "a former member" for one who left before the page opened. */
  nameOf(userId: string | null | undefined): string {
    if (!userId) return 'someone';
    if (userId === this.userId) return 'you';
    return this.members.get(userId)?.display_name || this.names.get(userId) || 'a former member';
  }

  /**
   * An admin's new description, saved straight to the server (a band edit is not queued offline:
   * it is rare, and RLS lets only admins make it). The reason when it was not saved.
   */
  async describe(description: string): Promise<string | undefined> {
    const { services, bandId } = this.host;
    try {
      this.band = await services.backline.describeBand(bandId, description);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    this.host.requestUpdate();
    return undefined;
  }

  hostConnected(): void {
    const { services, bandId } = this.host;
    this.stop.push(
      services.backline.on('members:changed', ({ bandId: changed, op, record, oldRecord }) => {
        if (changed !== bandId) return;
        const members = new Map(this.members);
        if (record) members.set(record.user_id, record);
        else if (oldRecord) members.delete(oldRecord.user_id);
        const who = record ?? oldRecord;
        if (who && who.user_id !== this.userId && op !== 'UPDATE') {
          const name = who.display_name || this.names.get(who.user_id) || 'A member';
          this.notice = `${name} ${op === 'INSERT' ? 'joined' : 'left'}`;
        }
        this.members = this.remembered(members);
        this.host.requestUpdate();
      }),
      // An admin renamed the band or changed its description, here or on another device.
      services.backline.on('band:event', (event) => {
        if (event.band_id !== bandId || event.table_name !== 'bands' || event.op !== 'UPDATE') return;
        this.band = event.record as Band;
        this.host.requestUpdate();
      }),
    );
    this.userId = services.backline.currentUser?.id;
    const watch = services.backline.watchBand(bandId);
    this.stop.push(() => watch.unwatch());
    // The band at once, even while the socket is down or refused; again once it is live.
    void services.backline.bandRows(bandId).then(
      (now) => this.show(now.rows),
      () => undefined,
    );
    void watch.live.then(
      (live) => this.show(live.rows),
      () => undefined,
    );
  }

  hostDisconnected(): void {
    this.stop.splice(0).forEach((undo) => undo());
  }

  private remembered(members: Map<string, BandMembership>): Map<string, BandMembership> {
    for (const member of members.values())
      if (member.display_name) this.names.set(member.user_id, member.display_name);
    return members;
  }

  private show(rows: BandRows): void {
    // An update event that arrived before the answer is newer than it.
    this.band ??= rows.band;
    // Events that arrived before the answer are newer than it: they win.
    const read = new Map(rows.members.map((member) => [member.user_id, member]));
    this.members = this.remembered(new Map([...read, ...this.members]));
    this.host.requestUpdate();
  }
}
