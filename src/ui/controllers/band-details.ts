// The band's own row and this user's role in it, read from REST when the page opens: for the
// heading, and for whether invites are this user's to make.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Band, BandMembership } from '../../client/index.js';
import type { Services } from '../services.js';

export class BandDetails implements ReactiveController {
  band: Band | undefined;
  role: BandMembership['role'] | undefined;
  /** The signed-in user, once read: their own changes are never someone else's. */
  userId: string | undefined;

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
    const { supabase } = services;
    this.userId = (await supabase.auth.getSession()).data.session?.user.id;
    const [band, membership] = await Promise.all([
      supabase.db.from('bands').select('*').eq('id', bandId).maybeSingle(),
      supabase.db
        .from('band_memberships')
        .select('role')
        .eq('band_id', bandId)
        .eq('user_id', this.userId ?? '')
        .maybeSingle(),
    ]);
    this.band = band.data ?? undefined;
    this.role = membership.data?.role;
    this.host.requestUpdate();
  }
}
