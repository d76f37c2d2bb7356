// Replaying queued writes against the real backend: exactly once in effect, conflicts detected.
import { PostgrestClient } from '@supabase/postgrest-js';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../../contract/schema.js';
import { replay, replayBatch } from '../../../worker/outbox/replay.js';
import { bandWith, signedUpClient, type Client } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';

const backend = useBackend();

async function restAs(user: { client: Client }): Promise<PostgrestClient<Database>> {
  const token = (await user.client.auth.getSession()).data.session!.access_token;
  return new PostgrestClient<Database>(`${backend.url}/rest/v1`, {
    headers: { apikey: backend.anonKey, Authorization: `Bearer ${token}` },
  });
}

async function setup() {
  const alice = await signedUpClient(backend, 'alice');
  const bob = await signedUpClient(backend, 'bob');
  const bandId = await bandWith(alice.client, [bob.client]);
  return { alice, bob, bandId, rest: await restAs(alice) };
}

describe('outbox replay', () => {
  it('inserts once however often an insert is replayed', async () => {
    const { alice, bandId, rest } = await setup();
    const songId = crypto.randomUUID();
    const write = { kind: 'song.insert' as const, songId, bandId, fields: { title: 'Once' } };
    expect(await replay(rest, write, alice.userId)).toMatchObject({
      kind: 'confirmed',
      row: { id: songId, version: 1 },
    });
    expect(await replay(rest, write, alice.userId)).toMatchObject({ kind: 'confirmed', row: { id: songId } });
    const { data } = await alice.client.from('songs').select('id, version').eq('band_id', bandId);
    expect(data).toEqual([{ id: songId, version: 1 }]);
  });

  it('confirms an update whose answer was lost without applying it twice', async () => {
    const { alice, bandId, rest } = await setup();
    const songId = crypto.randomUUID();
    await alice.client.from('songs').insert({ id: songId, band_id: bandId, title: 'Lola' });
    const write = { kind: 'song.update' as const, songId, bandId, baseVersion: 1, fields: { bpm: 130 } };
    // The first send commits; pretend its answer never came back and send again.
    expect(await replay(rest, write, alice.userId)).toMatchObject({
      kind: 'confirmed',
      row: { bpm: 130, version: 2 },
    });
    expect(await replay(rest, write, alice.userId)).toMatchObject({
      kind: 'confirmed',
      row: { bpm: 130, version: 2 },
    });
    const { data } = await alice.client.from('songs').select('bpm, version').eq('id', songId).single();
    expect(data).toEqual({ bpm: 130, version: 2 });
  });

  it('reports a conflict, with their row, when another member changed the song first', async () => {
    const { alice, bob, bandId, rest } = await setup();
    const songId = crypto.randomUUID();
    await alice.client.from('songs').insert({ id: songId, band_id: bandId, title: 'Lola' });
    await bob.client.from('songs').update({ title: 'Lola (Bob)' }).eq('id', songId);
    const outcome = await replay(
      rest,
      { kind: 'song.update', songId, bandId, baseVersion: 1, fields: { title: 'Lola (Alice)' } },
      alice.userId,
    );
    expect(outcome).toMatchObject({ kind: 'conflict', theirs: { title: 'Lola (Bob)', version: 2 } });
    const { data } = await alice.client.from('songs').select('title').eq('id', songId).single();
    expect(data).toEqual({ title: 'Lola (Bob)' });
  });

  it('treats deleting a song someone else edited meanwhile as a conflict', async () => {
    const { alice, bob, bandId, rest } = await setup();
    const songId = crypto.randomUUID();
    await alice.client.from('songs').insert({ id: songId, band_id: bandId, title: 'Keep me' });
    await bob.client.from('songs').update({ notes: 'new intro' }).eq('id', songId);
    const outcome = await replay(rest, { kind: 'song.delete', songId, bandId, baseVersion: 1 }, alice.userId);
    expect(outcome.kind).toBe('conflict');
    const { data } = await alice.client.from('songs').select('deleted_at').eq('id', songId).single();
    expect(data).toEqual({ deleted_at: null });
  });

  it('restores a deleted song on the version its delete made, once however often replayed', async () => {
    const { alice, bob, bandId, rest } = await setup();
    const songId = crypto.randomUUID();
    await alice.client.from('songs').insert({ id: songId, band_id: bandId, title: 'Lola' });
    const remove = { kind: 'song.delete' as const, songId, bandId, baseVersion: 1 };
    expect(await replay(rest, remove, alice.userId)).toMatchObject({
      kind: 'confirmed',
      row: { version: 2 },
    });
    const restore = { kind: 'song.restore' as const, songId, bandId, baseVersion: 2 };
    for (let i = 0; i < 2; i++)
      expect(await replay(rest, restore, alice.userId)).toMatchObject({
        kind: 'confirmed',
        row: { deleted_at: null, version: 3 },
      });
    // Bob deletes it again meanwhile: an undo based on the version before is a conflict, not an overwrite.
    await bob.client.from('songs').update({ deleted_at: new Date().toISOString() }).eq('id', songId);
    expect(await replay(rest, { ...restore, baseVersion: 3 }, alice.userId)).toMatchObject({
      kind: 'conflict',
      theirs: { version: 4, deleted_at: expect.any(String) as unknown },
    });
  });

  it('fails with the server’s code when RLS refuses, and retries when the server is unreachable', async () => {
    const { alice, rest } = await setup();
    const strangers = await bandWith((await signedUpClient(backend, 'carol')).client);
    const refused = await replay(
      rest,
      { kind: 'song.insert', songId: crypto.randomUUID(), bandId: strangers, fields: { title: 'x' } },
      alice.userId,
    );
    expect(refused).toMatchObject({ kind: 'failed', code: '42501' });
    const nowhere = new PostgrestClient<Database>('http://127.0.0.1:9/rest/v1', { headers: { apikey: 'x' } });
    const offline = await replay(
      nowhere,
      { kind: 'song.insert', songId: crypto.randomUUID(), bandId: strangers, fields: { title: 'x' } },
      alice.userId,
    );
    expect(offline.kind).toBe('retry');
  });

  it('sends many inserts as one upsert, and fails only the row RLS refuses', async () => {
    const { alice, bandId, rest } = await setup();
    const strangers = await bandWith((await signedUpClient(backend, 'dave')).client);
    const write = (band: string, title: string) => ({
      kind: 'song.insert' as const,
      songId: crypto.randomUUID(),
      bandId: band,
      fields: { title },
    });
    const batch = [write(bandId, 'One'), write(bandId, 'Two'), write(bandId, 'Three')];
    const first = await replayBatch(rest, batch, alice.userId);
    expect(first.map((o) => o.kind)).toEqual(['confirmed', 'confirmed', 'confirmed']);
    // Sent again (the answer was lost) with a refused row among them: nothing doubles, one fails.
    const again = await replayBatch(
      rest,
      [batch[0]!, write(strangers, 'Not mine'), batch[1]!, write(bandId, 'Four')],
      alice.userId,
    );
    expect(again.map((o) => o.kind)).toEqual(['confirmed', 'failed', 'confirmed', 'confirmed']);
    expect(again[1]).toMatchObject({ code: '42501' });
    const { data } = await alice.client
      .from('songs')
      .select('title, artist')
      .eq('band_id', bandId)
      .order('title');
    // A row without an artist takes the column's default ('').
    expect(data).toEqual([
      { title: 'Four', artist: '' },
      { title: 'One', artist: '' },
      { title: 'Three', artist: '' },
      { title: 'Two', artist: '' },
    ]);
  });

  it('creates a band once however often create_band is replayed, and never takes another’s id', async () => {
    const { alice, bob, rest } = await setup();
    const bandId = crypto.randomUUID();
    const write = { kind: 'band.create' as const, bandId, name: 'Offline band', description: '' };
    expect(await replay(rest, write, alice.userId)).toMatchObject({
      kind: 'confirmed',
      band: { id: bandId },
    });
    expect(await replay(rest, write, alice.userId)).toMatchObject({
      kind: 'confirmed',
      band: { id: bandId },
    });
    const { data: members } = await alice.client
      .from('band_memberships')
      .select('user_id')
      .eq('band_id', bandId);
    expect(members).toEqual([{ user_id: alice.userId }]);
    const bobRest = await restAs(bob);
    expect(await replay(bobRest, { ...write, name: 'Hijack' }, bob.userId)).toMatchObject({
      kind: 'failed',
      code: '23505',
    });
  });

  it('joins once with a code, and a replay after the code ran out still answers with the band', async () => {
    const { alice, bandId } = await setup();
    const { data: invite } = await alice.client.rpc('create_invite', { band_id: bandId, max_uses: 1 });
    const carol = await signedUpClient(backend, 'carol');
    const carolRest = await restAs(carol);
    const join = { kind: 'band.join' as const, code: invite!.code };
    expect(await replay(carolRest, join, carol.userId)).toMatchObject({
      kind: 'confirmed',
      band: { id: bandId },
    });
    // Her own join used the code up; the replay of that same join is not an error.
    expect(await replay(carolRest, join, carol.userId)).toMatchObject({
      kind: 'confirmed',
      band: { id: bandId },
    });
    const dave = await signedUpClient(backend, 'dave');
    expect(await replay(await restAs(dave), join, dave.userId)).toMatchObject({
      kind: 'failed',
      code: 'P0001',
    });
  });
});
