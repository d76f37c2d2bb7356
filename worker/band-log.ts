// Reading a band's change log over REST with the user's current token: the band's rows and the
// seq they stand at (band_snapshot, where a watch starts), its head (the last seq), the heads of
// many bands at once (band_heads), and the events after a seq, a page at a time. RLS
// applies: a user reads only the bands they are in. Tabs that ask for the same page at once (every
// tab of the profile resuming the same gap after a worker replacement) share one request.
import type { BandEvent } from '../contract/schema.js';
import { EVENTS_PAGE } from '../contract/protocol.js';
import { MAX_BANDS_PER_SHARD, MAX_SHARDS } from './band-channels.js';
import { parseBandSnapshot, type BandSnapshot } from './core/band-rows.js';
import type { RestSource } from './session-token.js';
import { BrokerFailure } from './validate.js';

/** band_heads() takes at most 8,000 ids (its migration's bound): every band one socket can carry. */
const MAX_BAND_HEADS = MAX_SHARDS * MAX_BANDS_PER_SHARD;

/** Which bands the user has a subscription for (the band feed's table). */
export interface Subscriptions {
  has(bandId: string): boolean;
}

export class BandLog {
  /** Pages being read for tabs, by band and seq. */
  private readonly reads = new Map<string, Promise<BandEvent[]>>();

  constructor(private readonly token: RestSource) {}

  /**
   * The band's rows and the seq of its log they stand at, in one request; null when RLS hides the
   * band. A malformed answer throws, saying what is wrong.
   */
  async snapshot(bandId: string): Promise<BandSnapshot | null> {
    const { data, error } = await this.token.rest().rpc('band_snapshot', { band_id: bandId });
    if (error) throw new Error(`reading the rows of band ${bandId}: ${error.message}`);
    return parseBandSnapshot(data, bandId);
  }

  /** The last seq of the band's log; 0 when RLS hides the band (every log starts with its creation). */
  async head(bandId: string): Promise<number> {
    const { data, error } = await this.token
      .rest()
      .from('band_events')
      .select('seq')
      .eq('band_id', bandId)
      .order('seq', { ascending: false })
      .limit(1);
    if (error) throw new Error(`reading the head of band ${bandId}: ${error.message}`);
    return data[0]?.seq ?? 0;
  }

  /**
   * The head of each band's log, one request for every band a socket carries; a band the user is
   * not a member of is absent.
   */
  async heads(bandIds: string[]): Promise<Map<string, number>> {
    const heads = new Map<string, number>();
    for (let i = 0; i < bandIds.length; i += MAX_BAND_HEADS) {
      const { data, error } = await this.token
        .rest()
        .rpc('band_heads', { band_ids: bandIds.slice(i, i + MAX_BAND_HEADS) });
      if (error) throw new Error(`reading band heads: ${error.message}`);
      for (const [bandId, seq] of parseHeads(data)) heads.set(bandId, seq);
    }
    return heads;
  }

  /** One page of the log after `afterSeq`, oldest first. */
  async after(bandId: string, afterSeq: number): Promise<BandEvent[]> {
    const { data, error } = await this.token
      .rest()
      .from('band_events')
      .select('*')
      .eq('band_id', bandId)
      .gt('seq', afterSeq)
      .order('seq')
      .limit(EVENTS_PAGE);
    if (error) throw new Error(`catching up band ${bandId}: ${error.message}`);
    return data;
  }

  /**
   * A page for a tab, shared with tabs asking for the same one. RLS answers a band the user is not
   * in with no rows, which reads as "nothing new": when a page of a band without a subscription
   * is empty, its head says whether the band is visible at all, and an invisible one is refused.
   */
  pageForTabs(bandId: string, afterSeq: number, subscriptions: Subscriptions): Promise<BandEvent[]> {
    const key = `${bandId}:${afterSeq}`;
    let read = this.reads.get(key);
    if (!read) {
      read = this.readForTabs(bandId, afterSeq, subscriptions).finally(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }

  private async readForTabs(
    bandId: string,
    afterSeq: number,
    subscriptions: Subscriptions,
  ): Promise<BandEvent[]> {
    const page = await this.after(bandId, afterSeq);
    if (page.length === 0 && !subscriptions.has(bandId) && (await this.head(bandId)) === 0)
      throw new BrokerFailure('not_member', `not a member of band ${bandId}`);
    return page;
  }
}

/** band_heads' answer, `{ "<band id>": seq }`, checked: a seq is a whole number. */
function parseHeads(data: unknown): [string, number][] {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new Error('band_heads answered something other than an object');
  return Object.entries(data).map(([bandId, seq]) => {
    if (!Number.isSafeInteger(seq) || (seq as number) < 0)
      throw new Error(`band_heads answered a seq that is not a whole number for band ${bandId}`);
    return [bandId, seq as number];
  });
}
