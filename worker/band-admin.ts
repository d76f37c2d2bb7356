// What a band's admins do that is not queued offline: invite codes (read, made with create_invite,
// revoked by deleting the row) and the band's description. Each is one REST call with the user's
// token, made here so the tab needs no Supabase client; RLS decides (a member reads no invites, and
// only an admin's description change touches a row). Rare, and meaningless offline, so a failure
// is answered at once rather than retried.
import type { Band, InviteCode } from '../contract/schema.js';
import type { RestSource } from './session-token.js';
import { BrokerFailure } from './validate.js';

/** A read or a change the server answered with an error, in its words. */
const failed = (error: { message: string }): BrokerFailure =>
  new BrokerFailure('request_failed', error.message);

export class BandAdmin {
  constructor(private readonly source: RestSource) {}

  async invites(bandId: string): Promise<InviteCode[]> {
    const { data, error } = await this.source
      .rest()
      .from('invite_codes')
      .select('*')
      .eq('band_id', bandId)
      .order('created_at');
    if (error) throw failed(error);
    return data;
  }

  async createInvite(bandId: string): Promise<InviteCode> {
    const { data, error } = await this.source.rest().rpc('create_invite', { band_id: bandId });
    if (error) throw failed(error);
    return data;
  }

  /** Revoked, or already gone (another admin revoked it first, which is what was asked). */
  async revokeInvite(inviteId: string): Promise<void> {
    const { error } = await this.source.rest().from('invite_codes').delete().eq('id', inviteId);
    if (error) throw failed(error);
  }

  /** The band as it is now; refused when the user is not its admin (RLS changed no row). */
  async describe(bandId: string, description: string): Promise<Band> {
    const { data, error } = await this.source
      .rest()
      .from('bands')
      .update({ description })
      .eq('id', bandId)
      .select('*')
      .maybeSingle();
    if (error) throw failed(error);
    if (!data) throw new BrokerFailure('request_failed', 'only a band admin can change it');
    return data;
  }
}
