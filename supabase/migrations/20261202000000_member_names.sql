-- Members' names, for the band page's member list and for saying who changed what ("Bob edited
-- this"). auth.users is not readable by clients, so each membership carries the name its user had
-- when they joined: the `display_name` they signed up with, else the part of their email before
-- the "@". Co-members already read memberships by RLS, so no new policy is needed.

alter table public.band_memberships add column display_name text not null default ''
  check (char_length(display_name) <= 100);

create function private.member_display_name(p_user_id uuid) returns text
  language sql stable security definer set search_path = ''
  as $$
    select left(coalesce(nullif(btrim(u.raw_user_meta_data ->> 'display_name'), ''), split_part(u.email, '@', 1)), 100)
    from auth.users u where u.id = p_user_id
  $$;
revoke execute on function private.member_display_name(uuid) from public, anon, authenticated;

-- Existing members, before the trigger below freezes names on update; not logged as band events
-- (nothing a member did).
alter table public.band_memberships disable trigger band_memberships_log;
update public.band_memberships m set display_name = coalesce(private.member_display_name(m.user_id), '');
alter table public.band_memberships enable trigger band_memberships_log;

-- Set by the server, never by the client: a member cannot rename someone else.
create function private.name_member() returns trigger
  language plpgsql security definer set search_path = ''
  as $$
  begin
    if tg_op = 'UPDATE' then
      new.display_name := old.display_name;
    else
      new.display_name := coalesce(private.member_display_name(new.user_id), '');
    end if;
    return new;
  end $$;

create trigger band_memberships_name before insert or update on public.band_memberships
  for each row execute function private.name_member();

