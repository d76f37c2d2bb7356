// A band's change log through plain supabase-js, as an app without Backline reads it: a
// postgres_changes subscription, the head, and catch-up reads after it.
import { REALTIME_SUBSCRIBE_STATES, type SupabaseClient } from '@supabase/supabase-js';
import { EVENTS_PAGE } from '../../contract/protocol.js';
import type { BandEvent, Database } from '../../contract/schema.js';

export type Supabase = SupabaseClient<Database>;

export async function readHead(supabase: Supabase, bandId: string): Promise<number> {
  const { data, error } = await supabase
    .from('band_events')
    .select('seq')
    .eq('band_id', bandId)
    .order('seq', { ascending: false })
    .limit(1);
  if (error) throw new Error(error.message);
  return data[0]?.seq ?? 0;
}

export async function readAfter(supabase: Supabase, bandId: string, after: number): Promise<BandEvent[]> {
  const { data, error } = await supabase
    .from('band_events')
    .select('*')
    .eq('band_id', bandId)
    .gt('seq', after)
    .order('seq')
    .limit(EVENTS_PAGE);
  if (error) throw new Error(error.message);
  return data;
}

/** Calls `onSubscribed` after every (re)join: the moment to catch up. Returns the unsubscribe. */
export function subscribeBand(
  supabase: Supabase,
  bandId: string,
  onEvent: (event: BandEvent) => void,
  onSubscribed: () => void,
): () => void {
  const channel = supabase
    .channel(`band:${bandId}`)
    .on<BandEvent>(
      'postgres_changes',
      { event: 'INSERT', schema: 'public', table: 'band_events', filter: `band_id=eq.${bandId}` },
      (payload) => onEvent(payload.new),
    )
    .subscribe((status) => {
      if (status === REALTIME_SUBSCRIBE_STATES.SUBSCRIBED) onSubscribed();
    });
  return () => void supabase.removeChannel(channel);
}

/** The session the profile already holds (the harness signs in once for all tabs). */
export async function persistedSession(supabase: Supabase): Promise<string> {
  const { data, error } = await supabase.auth.getSession();
  if (error || !data.session) throw new Error(`no session: ${error?.message ?? 'signed out'}`);
  await supabase.realtime.setAuth(data.session.access_token);
  return data.session.access_token;
}
