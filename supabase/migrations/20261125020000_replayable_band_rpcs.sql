-- Band RPCs that are safe to send twice: an offline app queues them and replays them until an
-- answer arrives, and an answer can be lost after the commit.

-- create_band takes an optional client-made id. Sending it again returns the band this user
-- already created with that id; an id taken by anyone else's band is a unique violation.
drop function public.create_band(text, text);

create function public.create_band(name text, description text default '', id uuid default null)
  returns public.bands
  language plpgsql security definer set search_path = ''
  as $$
  declare
    v_user uuid := auth.uid();
    v_band public.bands;
  begin
    if v_user is null then
      raise exception 'sign in to create a band' using errcode = '42501';
    end if;
    if create_band.id is not null then
      select * into v_band from public.bands b where b.id = create_band.id;
      if found then
        if v_band.created_by is distinct from v_user then
          raise exception 'a band with this id already exists' using errcode = '23505';
        end if;
        return v_band;
      end if;
    end if;
    insert into public.bands (id, name, description, created_by)
    values (
      coalesce(create_band.id, gen_random_uuid()),
      btrim(create_band.name),
      coalesce(create_band.description, ''),
      v_user
    )
    returning * into v_band;
    insert into public.band_memberships (band_id, user_id, role) values (v_band.id, v_user, 'admin');
    return v_band;
  end $$;

revoke execute on function public.create_band(text, text, uuid) from public, anon;
grant execute on function public.create_band(text, text, uuid) to authenticated, service_role;

-- join_band answers a user who is already a member of the code's band with that band, even when
-- the code has since expired or been used up (their own first join may have used it up).
create or replace function public.join_band(code text) returns public.bands
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
    if found and exists (
      select 1 from public.band_memberships m where m.band_id = v_invite.band_id and m.user_id = v_user
    ) then
      select * into v_band from public.bands b where b.id = v_invite.band_id;
      return v_band;
    end if;
    if not found or v_invite.expires_at <= now() or v_invite.uses >= v_invite.max_uses then
      raise exception 'invite code is invalid, expired or used up' using errcode = 'P0001';
    end if;
    insert into public.band_memberships (band_id, user_id, role) values (v_invite.band_id, v_user, 'member');
    update public.invite_codes set uses = uses + 1 where id = v_invite.id;
    select * into v_band from public.bands b where b.id = v_invite.band_id;
    return v_band;
  end $$;
