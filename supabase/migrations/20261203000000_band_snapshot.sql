-- One band's current rows and the seq they stand at, in one call: the broker's band cache starts
-- from it (a watch reads it instead of the log's head, so a first watch costs no extra request)
-- and keeps it current from the band's events after that seq.
--
-- Security invoker: RLS decides, as for a plain select of each table, so a caller who cannot see
-- the band gets null. One SQL statement, and a stable function runs in its caller's snapshot, so
-- the four reads see one state of the database. Per band, each seq is taken under the band's
-- counter row lock (private.next_band_seq), held to commit, in the transaction that made the
-- change: a snapshot that sees seq N has seen every transaction that took a seq ≤ N commit, and
-- none that takes a later one. The rows below are exactly the changes ≤ seq.
--
-- Songs include soft-deleted ones (deleted_at set), as the log does. Members are ordered by
-- joined_at and songs by created_at, ties by id (one transaction stamps many rows with one now()).
create function public.band_snapshot(band_id uuid) returns jsonb
  language sql stable security invoker set search_path = ''
  as $$
    select jsonb_build_object(
      'seq', (select coalesce(max(e.seq), 0) from public.band_events e where e.band_id = b.id),
      'band', to_jsonb(b),
      'members', coalesce(
        (select jsonb_agg(to_jsonb(m) order by m.joined_at, m.user_id)
         from public.band_memberships m where m.band_id = b.id),
        '[]'::jsonb),
      'songs', coalesce(
        (select jsonb_agg(to_jsonb(s) order by s.created_at, s.id)
         from public.songs s where s.band_id = b.id),
        '[]'::jsonb)
    )
    from public.bands b
    where b.id = band_snapshot.band_id
  $$;

revoke execute on function public.band_snapshot(uuid) from public, anon;
grant execute on function public.band_snapshot(uuid) to authenticated;
