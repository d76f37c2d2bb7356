-- Backline schema: bands, memberships, invite codes, songs, and the per-band change log.
-- Runs unchanged on a hosted Supabase project and on the local backend (server/).

create schema if not exists private;

-- ───────────────────────────── tables ─────────────────────────────

create table public.bands (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text not null default '' check (char_length(description) <= 2000),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The primary key holds both ids so that a DELETE event, which carries only the primary key when
-- RLS is on, still says which user left which band.
create table public.band_memberships (
  band_id uuid not null references public.bands (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member' check (role in ('admin', 'member')),
  joined_at timestamptz not null default now(),
  primary key (band_id, user_id)
);
create index band_memberships_user_idx on public.band_memberships (user_id);

create table public.invite_codes (
  id uuid primary key default gen_random_uuid(),
  band_id uuid not null references public.bands (id) on delete cascade,
  code text not null unique check (code ~ '^[A-Z0-9]{8,32}$'),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  max_uses integer not null default 10 check (max_uses between 1 and 1000),
  uses integer not null default 0 check (uses >= 0)
);
create index invite_codes_band_idx on public.invite_codes (band_id);

create table public.songs (
  -- Clients may generate the id (offline inserts replayed as idempotent upserts).
  id uuid primary key default gen_random_uuid(),
  band_id uuid not null references public.bands (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  artist text not null default '' check (char_length(artist) <= 200),
  key text check (key is null or char_length(key) <= 12),
  bpm integer check (bpm is null or bpm between 20 and 400),
  duration_seconds integer check (duration_seconds is null or duration_seconds between 0 and 86400),
  notes text not null default '' check (char_length(notes) <= 10000),
  -- Bumped by trigger on every update: optimistic concurrency (`update ... where version = v`).
  version integer not null default 1,
  created_by uuid references auth.users (id) on delete set null,
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index songs_band_idx on public.songs (band_id);

-- One counter row per band. Taking the next seq updates this row, whose lock is held until commit,
-- so per band the seq is gap-free and in commit order. (A column on bands would re-fire bands'
-- own triggers.)
create table private.band_seq (
  band_id uuid primary key references public.bands (id) on delete cascade,
  last_seq bigint not null default 0
);

-- No foreign key to bands: the log outlives a deleted band, so its last event (the delete) stays.
create table public.band_events (
  band_id uuid not null,
  seq bigint not null,
  table_name text not null check (table_name in ('bands', 'band_memberships', 'songs')),
  record_id uuid not null,
  op text not null check (op in ('INSERT', 'UPDATE', 'DELETE')),
  record jsonb,
  old_record jsonb,
  actor uuid,
  at timestamptz not null default now(),
  primary key (band_id, seq)
);

-- ───────────────────────────── membership helpers ─────────────────────────────
-- security definer so that policies on band_memberships can ask about band_memberships
-- without recursing into their own policy.

create function private.is_band_member(p_band_id uuid) returns boolean
  language sql stable security definer set search_path = ''
  as $$
    select exists (
      select 1 from public.band_memberships m
      where m.band_id = p_band_id and m.user_id = auth.uid()
    )
  $$;

create function private.is_band_admin(p_band_id uuid) returns boolean
  language sql stable security definer set search_path = ''
  as $$
    select exists (
      select 1 from public.band_memberships m
      where m.band_id = p_band_id and m.user_id = auth.uid() and m.role = 'admin'
    )
  $$;

grant usage on schema private to anon, authenticated, service_role;
grant execute on function private.is_band_member(uuid), private.is_band_admin(uuid)
  to anon, authenticated, service_role;

-- ───────────────────────────── row maintenance ─────────────────────────────

create function private.touch_band() returns trigger
  language plpgsql set search_path = ''
  as $$
  begin
    new.id := old.id;
    new.created_by := old.created_by;
    new.created_at := old.created_at;
    new.updated_at := now();
    return new;
  end $$;

create trigger bands_touch before update on public.bands
  for each row execute function private.touch_band();

create function private.stamp_song() returns trigger
  language plpgsql set search_path = ''
  as $$
  begin
    if tg_op = 'INSERT' then
      new.version := 1;
      new.created_by := coalesce(auth.uid(), new.created_by);
      new.updated_by := new.created_by;
      new.created_at := now();
      new.updated_at := new.created_at;
    else
      if new.band_id is distinct from old.band_id then
        raise exception 'a song cannot move to another band' using errcode = '23514';
      end if;
      new.id := old.id;
      new.version := old.version + 1;
      new.created_by := old.created_by;
      new.created_at := old.created_at;
      new.updated_by := coalesce(auth.uid(), new.updated_by);
      new.updated_at := now();
    end if;
    return new;
  end $$;

create trigger songs_stamp before insert or update on public.songs
  for each row execute function private.stamp_song();

-- ───────────────────────────── the change log ─────────────────────────────

create function private.next_band_seq(p_band_id uuid) returns bigint
  language sql volatile security definer set search_path = ''
  as $$
    update private.band_seq set last_seq = last_seq + 1
    where band_id = p_band_id
    returning last_seq
  $$;

create function private.log_band_event() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  declare
    v_record jsonb;
    v_old jsonb;
    v_row jsonb;
    v_band_id uuid;
    v_record_id uuid;
    v_seq bigint;
  begin
    if tg_op <> 'DELETE' then v_record := to_jsonb(new); end if;
    if tg_op <> 'INSERT' then v_old := to_jsonb(old); end if;
    v_row := coalesce(v_record, v_old);

    if tg_table_name = 'bands' then
      v_band_id := (v_row ->> 'id')::uuid;
      v_record_id := v_band_id;
    elsif tg_table_name = 'band_memberships' then
      v_band_id := (v_row ->> 'band_id')::uuid;
      v_record_id := (v_row ->> 'user_id')::uuid;
    else
      v_band_id := (v_row ->> 'band_id')::uuid;
      v_record_id := (v_row ->> 'id')::uuid;
    end if;

    if tg_table_name = 'bands' and tg_op = 'INSERT' then
      insert into private.band_seq (band_id) values (v_band_id);
    end if;

    v_seq := private.next_band_seq(v_band_id);
    -- No counter: the band itself is being deleted and its rows go with it (cascade).
    if v_seq is not null then
      insert into public.band_events (band_id, seq, table_name, record_id, op, record, old_record, actor)
      values (v_band_id, v_seq, tg_table_name, v_record_id, tg_op, v_record, v_old, auth.uid());
    end if;
    -- A BEFORE trigger that returns null would cancel the delete.
    if tg_when = 'BEFORE' then
      return old;
    end if;
    return null;
  end $$;

create trigger bands_log after insert or update on public.bands
  for each row execute function private.log_band_event();
-- Before delete: the counter row still exists, so the band's last event gets its seq.
create trigger bands_log_delete before delete on public.bands
  for each row execute function private.log_band_event();
create trigger band_memberships_log after insert or update or delete on public.band_memberships
  for each row execute function private.log_band_event();
create trigger songs_log after insert or update or delete on public.songs
  for each row execute function private.log_band_event();

-- ───────────────────────────── row level security ─────────────────────────────

alter table public.bands enable row level security;
alter table public.band_memberships enable row level security;
alter table public.invite_codes enable row level security;
alter table public.songs enable row level security;
alter table public.band_events enable row level security;

-- Bands are created by create_band() (band and admin membership in one transaction).
create policy "members read their bands" on public.bands
  for select to authenticated using (private.is_band_member(id));
create policy "admins update their bands" on public.bands
  for update to authenticated using (private.is_band_admin(id)) with check (private.is_band_admin(id));
create policy "admins delete their bands" on public.bands
  for delete to authenticated using (private.is_band_admin(id));

create policy "members read co-members" on public.band_memberships
  for select to authenticated using (private.is_band_member(band_id));
create policy "admins add members" on public.band_memberships
  for insert to authenticated with check (private.is_band_admin(band_id));
create policy "admins change roles" on public.band_memberships
  for update to authenticated using (private.is_band_admin(band_id)) with check (private.is_band_admin(band_id));
create policy "admins remove members, members leave" on public.band_memberships
  for delete to authenticated using (private.is_band_admin(band_id) or user_id = auth.uid());

create policy "admins read invites" on public.invite_codes
  for select to authenticated using (private.is_band_admin(band_id));
create policy "admins revoke invites" on public.invite_codes
  for delete to authenticated using (private.is_band_admin(band_id));

create policy "members read songs" on public.songs
  for select to authenticated using (private.is_band_member(band_id));
create policy "members add songs" on public.songs
  for insert to authenticated with check (private.is_band_member(band_id));
create policy "members edit songs" on public.songs
  for update to authenticated using (private.is_band_member(band_id)) with check (private.is_band_member(band_id));
create policy "members delete songs" on public.songs
  for delete to authenticated using (private.is_band_member(band_id));

-- The log is read-only for everyone; only the trigger (security definer) writes it.
create policy "members read their bands' events" on public.band_events
  for select to authenticated using (private.is_band_member(band_id));
revoke insert, update, delete, truncate on public.band_events from anon, authenticated;
revoke all on public.invite_codes from anon;
revoke insert, update on public.invite_codes from authenticated;

-- ───────────────────────────── RPCs ─────────────────────────────

create function public.create_band(name text, description text default '') returns public.bands
  language plpgsql security definer set search_path = ''
  as $$
  declare
    v_user uuid := auth.uid();
    v_band public.bands;
  begin
    if v_user is null then
      raise exception 'sign in to create a band' using errcode = '42501';
    end if;
    insert into public.bands (name, description, created_by)
    values (btrim(create_band.name), coalesce(create_band.description, ''), v_user)
    returning * into v_band;
    insert into public.band_memberships (band_id, user_id, role) values (v_band.id, v_user, 'admin');
    return v_band;
  end $$;

create function public.create_invite(band_id uuid, max_uses integer default 10, valid_for interval default '7 days')
  returns public.invite_codes
  language plpgsql security definer set search_path = ''
  as $$
  declare
    v_invite public.invite_codes;
  begin
    if not private.is_band_admin(create_invite.band_id) then
      raise exception 'only a band admin can create invites' using errcode = '42501';
    end if;
    if create_invite.valid_for <= interval '0' or create_invite.valid_for > interval '90 days' then
      raise exception 'an invite is valid for up to 90 days' using errcode = '22023';
    end if;
    -- 48 random bits from gen_random_uuid (a strong random source), expiring and use-limited.
    insert into public.invite_codes (band_id, code, created_by, max_uses, expires_at)
    values (
      create_invite.band_id,
      upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)),
      auth.uid(),
      create_invite.max_uses,
      now() + create_invite.valid_for
    )
    returning * into v_invite;
    return v_invite;
  end $$;

create function public.join_band(code text) returns public.bands
  language plpgsql security definer set search_path = ''
  as $$
  declare
    v_user uuid := auth.uid();
    v_invite public.invite_codes;
    v_band public.bands;
  begin
    if v_user is null then
      raise exception 'sign in to join a band' using errcode = '42501';
    end if;
    select * into v_invite from public.invite_codes i
      where i.code = upper(btrim(join_band.code))
      for update;
    if not found or v_invite.expires_at <= now() or v_invite.uses >= v_invite.max_uses then
      raise exception 'invite code is invalid, expired or used up' using errcode = 'P0001';
    end if;
    insert into public.band_memberships (band_id, user_id, role)
    values (v_invite.band_id, v_user, 'member')
    on conflict on constraint band_memberships_pkey do nothing;
    if found then
      update public.invite_codes set uses = uses + 1 where id = v_invite.id;
    end if;
    select * into v_band from public.bands b where b.id = v_invite.band_id;
    return v_band;
  end $$;

-- Functions are executable by PUBLIC by default; these are for signed-in users only.
revoke execute on function public.create_band(text, text) from public, anon;
revoke execute on function public.create_invite(uuid, integer, interval) from public, anon;
revoke execute on function public.join_band(text) from public, anon;
grant execute on function public.create_band(text, text) to authenticated, service_role;
grant execute on function public.create_invite(uuid, integer, interval) to authenticated, service_role;
grant execute on function public.join_band(text) to authenticated, service_role;

-- ───────────────────────────── realtime ─────────────────────────────

alter publication supabase_realtime add table public.songs, public.band_events, public.band_memberships;
