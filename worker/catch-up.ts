// Reading a band's change log over REST: its head (the last seq) and the events after a seq, in
// pages. RLS applies: a user reads only the bands they are in.
import type { PostgrestClient } from '@supabase/postgrest-js';
import type { BandEvent, Database } from '../contract/schema.js';

export type Rest = PostgrestClient<Database>;

import { EVENTS_PAGE } from '../contract/protocol.js';

export async function logHead(rest: Rest, bandId: string): Promise<number> {
  const { data, error } = await rest
    .from('band_events')
    .select('seq')
    .eq('band_id', bandId)
    .order('seq', { ascending: false })
    .limit(1);
  if (error) throw new Error(`reading the head of band ${bandId}: ${error.message}`);
  return data[0]?.seq ?? 0;
}

export async function eventsAfter(rest: Rest, bandId: string, afterSeq: number): Promise<BandEvent[]> {
  const { data, error } = await rest
    .from('band_events')
    .select('*')
    .eq('band_id', bandId)
    .gt('seq', afterSeq)
    .order('seq')
    .limit(EVENTS_PAGE);
  if (error) throw new Error(`catching up band ${bandId}: ${error.message}`);
  return data;
}
