// The schema's promises, seen through supabase-js as users: bands and invites, RLS, versions,
// and the per-band change log.
import { describe, expect, it } from 'vitest';
import { bandWith, client, signedUpClient, type Client } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';

interface BandEvent {
  seq: number;
  table_name: string;
  op: string;
  record_id: string;
  record: Record<string, unknown> | null;
  actor: string | null;
}

const backend = useBackend();

async function events(supabase: Client, bandId: string): Promise<BandEvent[]> {
  const { data, error } = await supabase.from('band_events').select('*').eq('band_id', bandId).order('seq');
  if (error) throw new Error(error.message);
  return data as BandEvent[];
}

describe('bands and invites', () => {
  it('create_band makes the band, an admin membership and the first band_events rows', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const { data: band, error } = await alice.client.rpc('create_band', {
      name: ' The Kinks ',
      description: 'London',
    });
    expect(error).toBeNull();
    expect(band).toMatchObject({ name: 'The Kinks', description: 'London', created_by: alice.userId });
    const { data: memberships } = await alice.client.from('band_memberships').select('user_id, role');
    expect(memberships).toEqual([{ user_id: alice.userId, role: 'admin' }]);
    const log = await events(alice.client, (band as { id: string }).id);
    expect(log.map((e) => [e.seq, e.table_name, e.op])).toEqual([
      [1, 'bands', 'INSERT'],
      [2, 'band_memberships', 'INSERT'],
    ]);
    expect(log[1]!.actor).toBe(alice.userId);
  });

  it('names each member by their sign-up name, else their email, and lets nobody rename them', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = client(backend);
    const bobEmail = `bob-${crypto.randomUUID()}@example.com`;
    const signUp = await bob.auth.signUp({
      email: bobEmail,
      password: 'correct horse battery',
      options: { data: { display_name: ' Bob Dylan ' } },
    });
    expect(signUp.error).toBeNull();
    const bandId = await bandWith(alice.client, [bob]);
    const names = async (): Promise<Record<string, string>> => {
      const { data } = await bob
        .from('band_memberships')
        .select('user_id, display_name')
        .eq('band_id', bandId);
      return Object.fromEntries((data ?? []).map((m) => [m.user_id, m.display_name]));
    };
    expect(await names()).toEqual({
      [alice.userId]: alice.email.split('@')[0],
      [signUp.data.user!.id]: 'Bob Dylan',
    });

    // An admin may change a role, not the name the band knows a member by.
    const renamed = await alice.client
      .from('band_memberships')
      .update({ role: 'admin', display_name: 'Mallory' })
      .eq('band_id', bandId)
      .eq('user_id', signUp.data.user!.id)
      .select('role, display_name');
    expect(renamed.data).toEqual([{ role: 'admin', display_name: 'Bob Dylan' }]);
  });

  it('refuses create_band to anonymous callers', async () => {
    const { error } = await client(backend).rpc('create_band', { name: 'Nope' });
    expect(error?.code).toBe('42501');
  });

  it('lets a member join with an invite code, once per user, counting uses', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client);
    const { data: invite } = await alice.client.rpc('create_invite', { band_id: bandId, max_uses: 2 });
    const code = (invite as { code: string }).code;
    expect(code).toMatch(/^[A-Z0-9]{12}$/);

    const joined = await bob.client.rpc('join_band', { code: code.toLowerCase() });
    expect(joined.error).toBeNull();
    expect((joined.data as { id: string }).id).toBe(bandId);
    await bob.client.rpc('join_band', { code });
    const { data: uses } = await alice.client.from('invite_codes').select('uses').eq('code', code).single();
    expect(uses).toEqual({ uses: 1 });
    const { data: members } = await bob.client
      .from('band_memberships')
      .select('user_id')
      .eq('band_id', bandId);
    expect(members?.map((m) => m.user_id).sort()).toEqual([alice.userId, bob.userId].sort());
  });

  it('refuses an unknown, used-up or expired invite code', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const [bob, carol] = await Promise.all([
      signedUpClient(backend, 'bob'),
      signedUpClient(backend, 'carol'),
    ]);
    const bandId = await bandWith(alice.client);
    const unknown = await bob.client.rpc('join_band', { code: 'NOSUCHCODE00' });
    expect(unknown.error?.message).toMatch(/invalid, expired or used up/);

    const { data: single } = await alice.client.rpc('create_invite', { band_id: bandId, max_uses: 1 });
    expect((await bob.client.rpc('join_band', { code: (single as { code: string }).code })).error).toBeNull();
    const usedUp = await carol.client.rpc('join_band', { code: (single as { code: string }).code });
    expect(usedUp.error?.message).toMatch(/used up/);

    const { data: short } = await alice.client.rpc('create_invite', {
      band_id: bandId,
      valid_for: '1 second',
    });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await carol.client.rpc('join_band', { code: (short as { code: string }).code });
    expect(expired.error?.message).toMatch(/expired/);
  });

  it('lets only admins create invites', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const { error } = await bob.client.rpc('create_invite', { band_id: bandId });
    expect(error?.code).toBe('42501');
    const { data } = await bob.client.from('invite_codes').select('code').eq('band_id', bandId);
    expect(data).toEqual([]);
  });

  it('lets only admins revoke invites, and a revoked code no longer joins', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const carol = await signedUpClient(backend, 'carol');
    const bandId = await bandWith(alice.client, [bob.client]);
    const { data: invite } = await alice.client.rpc('create_invite', { band_id: bandId });
    const code = (invite as { code: string }).code;
    await bob.client.from('invite_codes').delete().eq('code', code);
    const kept = await alice.client.from('invite_codes').select('code').eq('band_id', bandId);
    expect(kept.data?.map((row) => row.code)).toContain(code);

    const { error } = await alice.client.from('invite_codes').delete().eq('code', code);
    expect(error).toBeNull();
    const left = await alice.client.from('invite_codes').select('code').eq('code', code);
    expect(left.data).toEqual([]);
    const refused = await carol.client.rpc('join_band', { code });
    expect(refused.error?.message).toMatch(/invalid/);
  });
});

describe('row level security', () => {
  it('hides a band and its songs from non-members, and refuses their writes with 42501', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const mallory = await signedUpClient(backend, 'mallory');
    const bandId = await bandWith(alice.client);
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Secret song' });

    expect((await mallory.client.from('songs').select('*').eq('band_id', bandId)).data).toEqual([]);
    expect((await mallory.client.from('bands').select('*').eq('id', bandId)).data).toEqual([]);
    expect((await mallory.client.from('band_events').select('*').eq('band_id', bandId)).data).toEqual([]);

    const insert = await mallory.client.from('songs').insert({ band_id: bandId, title: 'Intruder' });
    expect(insert.error?.code).toBe('42501');
    expect(insert.status).toBe(403);
    const anon = await client(backend).from('songs').insert({ band_id: bandId, title: 'Anon' });
    expect(anon.status).toBe(401);

    const update = await mallory.client
      .from('songs')
      .update({ title: 'Hacked' })
      .eq('band_id', bandId)
      .select();
    expect(update.data).toEqual([]);
    const { data: still } = await alice.client.from('songs').select('title').eq('band_id', bandId);
    expect(still).toEqual([{ title: 'Secret song' }]);
  });

  it('lets nobody write band_events directly, not even a member', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const forged = await alice.client.from('band_events').insert({
      band_id: bandId,
      seq: 999,
      table_name: 'songs',
      record_id: bandId,
      op: 'INSERT',
    });
    expect(forged.error?.code).toBe('42501');
    const wiped = await alice.client.from('band_events').delete().eq('band_id', bandId);
    expect(wiped.error?.code).toBe('42501');
    expect((await events(alice.client, bandId)).length).toBe(2);
  });

  it('lets members remove themselves and admins remove others, not members remove others', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const [bob, carol] = await Promise.all([
      signedUpClient(backend, 'bob'),
      signedUpClient(backend, 'carol'),
    ]);
    const bandId = await bandWith(alice.client, [bob.client, carol.client]);
    const bobKicksCarol = await bob.client
      .from('band_memberships')
      .delete()
      .eq('band_id', bandId)
      .eq('user_id', carol.userId)
      .select();
    expect(bobKicksCarol.data).toEqual([]);
    const aliceKicksCarol = await alice.client
      .from('band_memberships')
      .delete()
      .eq('band_id', bandId)
      .eq('user_id', carol.userId)
      .select('user_id');
    expect(aliceKicksCarol.data).toEqual([{ user_id: carol.userId }]);
    expect((await carol.client.from('songs').select('*').eq('band_id', bandId)).data).toEqual([]);
    const bobLeaves = await bob.client
      .from('band_memberships')
      .delete()
      .eq('user_id', bob.userId)
      .select('user_id');
    expect(bobLeaves.data).toEqual([{ user_id: bob.userId }]);
  });
});

describe('songs', () => {
  it('bumps version on every update, and an update based on a stale version changes nothing', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const id = crypto.randomUUID();
    const { data: song } = await alice.client
      .from('songs')
      .insert({ id, band_id: bandId, title: 'Lola', bpm: 138 })
      .select()
      .single();
    expect(song).toMatchObject({ id, version: 1, created_by: alice.userId, updated_by: alice.userId });

    const bobs = await bob.client
      .from('songs')
      .update({ bpm: 140 })
      .eq('id', id)
      .eq('version', 1)
      .select()
      .single();
    expect(bobs.data).toMatchObject({
      bpm: 140,
      version: 2,
      updated_by: bob.userId,
      created_by: alice.userId,
    });

    const stale = await alice.client
      .from('songs')
      .update({ bpm: 120 })
      .eq('id', id)
      .eq('version', 1)
      .select();
    expect(stale.error).toBeNull();
    expect(stale.data).toEqual([]);
    const { data: now } = await alice.client.from('songs').select('bpm, version').eq('id', id).single();
    expect(now).toEqual({ bpm: 140, version: 2 });
  });

  it('ignores a forged version, author or timestamps', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const { data } = await bob.client
      .from('songs')
      .insert({
        band_id: bandId,
        title: 'X',
        version: 99,
        created_by: alice.userId,
        created_at: '2001-01-01T00:00:00Z',
      })
      .select()
      .single();
    expect(data).toMatchObject({ version: 1, created_by: bob.userId });
    expect(new Date((data as { created_at: string }).created_at).getFullYear()).toBeGreaterThan(2001);
  });

  it('keeps a soft-deleted song readable to members with deleted_at set, and logs it', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { data: song } = await alice.client
      .from('songs')
      .insert({ band_id: bandId, title: 'Gone' })
      .select()
      .single();
    const id = (song as { id: string }).id;
    await alice.client.from('songs').update({ deleted_at: new Date().toISOString() }).eq('id', id);
    const { data } = await alice.client.from('songs').select('deleted_at').eq('id', id).single();
    expect((data as { deleted_at: string | null }).deleted_at).not.toBeNull();
    const live = await alice.client.from('songs').select('id').eq('band_id', bandId).is('deleted_at', null);
    expect(live.data).toEqual([]);
    const log = await events(alice.client, bandId);
    expect(log.at(-1)).toMatchObject({ table_name: 'songs', op: 'UPDATE', record_id: id });
  });

  it('logs a hard delete with the full old row', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { data: song } = await alice.client
      .from('songs')
      .insert({ band_id: bandId, title: 'Brief', artist: 'Someone' })
      .select()
      .single();
    await alice.client
      .from('songs')
      .delete()
      .eq('id', (song as { id: string }).id);
    const last = (await events(alice.client, bandId)).at(-1) as BandEvent & {
      old_record: Record<string, unknown>;
    };
    expect(last).toMatchObject({ op: 'DELETE', record: null });
    expect(last.old_record).toMatchObject({ title: 'Brief', artist: 'Someone', band_id: bandId });
  });
});

describe('band_events.seq', () => {
  it('stays gap-free and in commit order when four clients insert 50 songs concurrently into one band', async () => {
    const owner = await signedUpClient(backend, 'owner');
    const writers = [owner, ...(await Promise.all([1, 2, 3].map(() => signedUpClient(backend, 'writer'))))];
    const bandId = await bandWith(
      owner.client,
      writers.slice(1).map((w) => w.client),
    );
    const before = (await events(owner.client, bandId)).length;
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < 50; i++) {
          const { error } = await writer.client
            .from('songs')
            .insert({ band_id: bandId, title: `w${w}-${i}` });
          if (error) throw new Error(error.message);
        }
      }),
    );
    const log = await events(owner.client, bandId);
    expect(log.length).toBe(before + 200);
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
    // Commit order: each writer's songs appear in the order that writer committed them.
    for (let w = 0; w < writers.length; w++) {
      const titles = log
        .filter((e) => e.record?.['title']?.toString().startsWith(`w${w}-`))
        .map((e) => e.record!['title']);
      expect(titles).toEqual(Array.from({ length: 50 }, (_, i) => `w${w}-${i}`));
    }
  });
});
