// A band's invite codes for its admins, through the broker: read when the page opens (RLS lets only
// admins read them, so a member reads none), made with create_invite, revoked by deleting the row
// (RLS policy "admins revoke invites"). Not live: uses by joiners show after the next read.
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
    const read = await services.backline.invites(bandId).catch(() => []);
    // Codes made while the read was under way are in `invites` already.
    const made = new Set(this.invites.map((invite) => invite.id));
    this.invites = [...this.invites, ...read.filter((invite) => !made.has(invite.id))];
    this.host.requestUpdate();
  }

  async create(): Promise<void> {
    const { services, bandId } = this.host;
    let invite: InviteCode;
    try {
      invite = await services.backline.createInvite(bandId);
    } catch (error) {
      return services.toasts.show(toasts.failed('create an invite', messageOf(error)));
    }
    this.invites = [...this.invites, invite];
    this.fresh = invite.code;
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
    try {
      await services.backline.revokeInvite(invite.id);
    } catch (error) {
      return services.toasts.show(toasts.failed('revoke the invite', messageOf(error)));
    }
    this.invites = this.invites.filter((kept) => kept.id !== invite.id);
    if (this.fresh === invite.code) this.fresh = undefined;
    this.host.requestUpdate();
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
