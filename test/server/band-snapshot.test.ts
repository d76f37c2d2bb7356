// band_snapshot(band_id): a band's rows and the seq they stand at, in one call, as the broker's
// band cache reads it through supabase-js. RLS decides what it answers.
import { describe, expect, it } from 'vitest';
import { bandRowsOf, bandWith, client, logSeqs, signedUpClient } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

describe('band_snapshot', () => {
  it("answers a member with the band's rows, soft-deleted songs included, and the head seq", async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    for (const title of ['One', 'Two', 'Three'])
      await bob.client.from('songs').insert({ band_id: bandId, title });
    await bob.client.from('songs').update({ deleted_at: new Date().toISOString() }).eq('title', 'Two');

    const { data, error } = await bob.client.rpc('band_snapshot', { band_id: bandId });
    expect(error).toBeNull();
    expect(data).toEqual({
      seq: (await logSeqs(bob.client, bandId, 0)).at(-1),
      ...(await bandRowsOf(bob.client, bandId)),
    });
    const snapshot = data as {
      members: { user_id: string }[];
      songs: { title: string; deleted_at: unknown }[];
    };
    expect(snapshot.members.map((m) => m.user_id)).toEqual([alice.userId, bob.userId]);
    expect(snapshot.songs.map((s) => [s.title, s.deleted_at !== null])).toEqual([
      ['One', false],
      ['Two', true],
      ['Three', false],
    ]);
  });

  it('answers null to a signed-in user who is not a member, and for a band that does not exist', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const mallory = await signedUpClient(backend, 'mallory');
    const bandId = await bandWith(alice.client);
    await alice.client.from('songs').insert({ band_id: bandId, title: 'Secret' });

    const theirs = await mallory.client.rpc('band_snapshot', { band_id: bandId });
    expect(theirs).toMatchObject({ data: null, error: null });
    const nowhere = await alice.client.rpc('band_snapshot', { band_id: crypto.randomUUID() });
    expect(nowhere).toMatchObject({ data: null, error: null });
  });

  it('refuses anonymous callers', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { data, error } = await client(backend).rpc('band_snapshot', { band_id: bandId });
    expect(data).toBeNull();
    expect(error?.code).toBe('42501');
  });

  it('stands at the head of the log after a few writes, the rows with it', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const before = await alice.client.rpc('band_snapshot', { band_id: bandId });
    const song = await bob.client.from('songs').insert({ band_id: bandId, title: 'Draft' }).select().single();
    await bob.client.from('songs').update({ title: 'Final', bpm: 120 }).eq('id', song.data!.id);
    await alice.client.from('bands').update({ description: 'Now with songs' }).eq('id', bandId);
    await bob.client.from('songs').insert({ band_id: bandId, title: 'Encore' });

    const { data } = await alice.client.rpc('band_snapshot', { band_id: bandId });
    const head = (await logSeqs(alice.client, bandId, 0)).at(-1)!;
    expect(head).toBe((before.data as { seq: number }).seq + 4);
    expect(data).toEqual({ seq: head, ...(await bandRowsOf(alice.client, bandId)) });
  });
});
