-- The head (last seq) of several bands' change logs in one call. A socket can lose a band's last
-- event with nothing after it to reveal the gap (Supabase does not promise delivery), so the
-- broker compares these heads with what it delivered, one request for every band it watches.
-- Only bands the caller is a member of are answered, as RLS answers their log: a band they are
-- not in is simply absent. The answer is one jsonb object ({"<band id>": seq}) rather than rows, so
-- PostgREST's max-rows (1,000 on hosted Supabase) cannot cut it short. At most 8,000 ids: all the
-- bands one socket can carry (80 channels of 100).
create function public.band_heads(band_ids uuid[]) returns jsonb
  language plpgsql stable security definer set search_path = ''
  as $$
  begin
    if band_heads.band_ids is null then
      raise exception 'band_ids must be an array of band ids' using errcode = '22004';
    end if;
    if cardinality(band_heads.band_ids) > 8000 then
      raise exception 'band_heads takes at most 8000 band ids, got %', cardinality(band_heads.band_ids)
        using errcode = '22023';
    end if;
    -- The counter moves in the same transaction as the event it numbers, so it is the log's head.
    return coalesce(
      (select jsonb_object_agg(s.band_id, s.last_seq)
       from private.band_seq s
       join public.band_memberships m on m.band_id = s.band_id and m.user_id = auth.uid()
       where s.band_id = any (band_heads.band_ids)),
      '{}'::jsonb
    );
  end $$;

revoke execute on function public.band_heads(uuid[]) from public, anon;
grant execute on function public.band_heads(uuid[]) to authenticated, service_role;
