// The band's own row and its members, read from REST when the page opens and kept live from the
// band's events: for the heading, the member list, who changed what, and whether invites are this
// user's to make. A member joining or leaving while the page is open is said once, quietly
// (`notice`, for a polite status line: others' changes never toast).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Band, BandMembership } from '../../client/index.js';
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
    const { data, error } = await services.supabase.db
      .from('bands')
      .update({ description })
      .eq('id', bandId)
      .select('*')
      .maybeSingle();
    if (error) return error.message;
    if (!data) return 'only a band admin can change it';
    this.band = data;
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
    void this.load();
  }

  hostDisconnected(): void {
    this.stop.splice(0).forEach((undo) => undo());
  }

  private remembered(members: Map<string, BandMembership>): Map<string, BandMembership> {
    for (const member of members.values())
      if (member.display_name) this.names.set(member.user_id, member.display_name);
    return members;
  }

  private async load(): Promise<void> {
    const { services, bandId } = this.host;
    const { supabase } = services;
    this.userId = (await supabase.auth.getSession()).data.session?.user.id;
    const [band, members] = await Promise.all([
      supabase.db.from('bands').select('*').eq('id', bandId).maybeSingle(),
      supabase.db.from('band_memberships').select('*').eq('band_id', bandId).order('joined_at'),
    ]);
    // An update event that arrived during the read is newer than it.
    this.band ??= band.data ?? undefined;
    // Events that arrived during the read are newer than it: they win.
    const read = new Map((members.data ?? []).map((member) => [member.user_id, member]));
    this.members = this.remembered(new Map([...read, ...this.members]));
    this.host.requestUpdate();
  }
}
