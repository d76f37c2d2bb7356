// A band's invite codes for its admins: read when the page opens (RLS lets only admins read them,
// so a member reads none), made with create_invite, revoked by deleting the row (RLS policy
// "admins revoke invites"). Not live: uses by joiners show after the next read.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { InviteCode } from '../../client/index.js';
import type { Services } from '../services.js';
import { toasts } from '../state/toast-policy.js';

export class BandInvites implements ReactiveController {
  invites: readonly InviteCode[] = [];
  /** The code made last on this page, to point it out. */
  fresh: string | undefined;
  /** What the last Copy did, for the panel's status line. */
  copied: string | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & { readonly services: Services; readonly bandId: string },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    const { services, bandId } = this.host;
    const { data } = await services.supabase.db.from('invite_codes').select('*').eq('band_id', bandId);
    // Codes made while the read was under way are in `invites` already.
    const made = new Set(this.invites.map((invite) => invite.id));
    this.invites = [...this.invites, ...(data ?? []).filter((invite) => !made.has(invite.id))];
    this.host.requestUpdate();
  }

  async create(): Promise<void> {
    const { services, bandId } = this.host;
    const { data, error } = await services.supabase.db.rpc('create_invite', { band_id: bandId });
    if (error) return services.toasts.show(toasts.failed('create an invite', error.message));
    this.invites = [...this.invites, data];
    this.fresh = data.code;
    this.host.requestUpdate();
  }

  async copy(invite: InviteCode): Promise<void> {
    try {
      await navigator.clipboard.writeText(invite.code);
      this.copied = `Copied ${invite.code} to the clipboard`;
    } catch {
      // No clipboard permission (an embedded or insecure page): the code is on screen to copy by hand.
      this.copied = `Could not copy ${invite.code}: select it and copy it by hand`;
    }
    this.host.requestUpdate();
  }

  async revoke(invite: InviteCode): Promise<void> {
    const { services } = this.host;
    // No row deleted and no error: another admin revoked it first, which is what was asked.
    const { error } = await services.supabase.db.from('invite_codes').delete().eq('id', invite.id);
    if (error) return services.toasts.show(toasts.failed('revoke the invite', error.message));
    this.invites = this.invites.filter((kept) => kept.id !== invite.id);
    if (this.fresh === invite.code) this.fresh = undefined;
    this.host.requestUpdate();
  }
}
