// News of the user's bands from wherever it comes: the memberships channel (joined or left in
// another browser), a tab (created or joined here), the outbox (a band write confirmed). A band
// the user gains is subscribed at once and every tab hears of it; one they lose is released. Either
// way the band list is read again when next asked.
import type { MembershipChange, MembershipListener } from './band-channels.js';
import type { BandInterest } from './band-interest.js';
import type { BandList } from './band-list.js';
import type { UserBus } from './fanout.js';
import { BrokerFailure } from './validate.js';

export class BandMemberships implements MembershipListener {
  constructor(
    private readonly interest: BandInterest,
    private readonly bus: UserBus,
    private readonly list: BandList,
  ) {}

  /** A band created or joined in a tab of this profile, or from its outbox. */
  added(bandId: string): void {
    this.list.membershipsChanged();
    if (this.interest.keepForGrace(bandId)) this.bus.publish({ type: 'band:created', bandId });
  }

  membershipChanged(change: MembershipChange): void {
    this.list.membershipsChanged();
    if (change.type === 'INSERT') {
      if (this.interest.keepForGrace(change.bandId))
        this.bus.publish({ type: 'band:joined', bandId: change.bandId });
      return;
    }
    this.interest.drop(change.bandId, new BrokerFailure('not_member', `left band ${change.bandId}`));
    this.bus.publish({ type: 'band:left', bandId: change.bandId });
  }
}
