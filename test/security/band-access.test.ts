// Band boundaries: a member removed from a band stops hearing it at once and cannot write to it,
// and a user who is not in a band gets none of it through the broker either (watch, catch-up,
// "I just created it"): the server refuses, the broker says so, and no event of it arrives.
import { describe, expect, it } from 'vitest';
import { bandWith, logSeqs, signedUpClient, until, type Client } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';
import { collect, signedInRealtime, subscribedToChanges, type Change } from '../server/realtime/support.js';
import { signedInBroker } from '../support/node-broker.js';

const backend = useBackend();

const seqOf = (change: Change): number => (change.new as { seq: number }).seq;

async function addSong(writer: Client, bandId: string, title: string): Promise<void> {
  const { error } = await writer.from('songs').insert({ band_id: bandId, title });
  if (error) throw new Error(error.message);
}

describe('a member removed from a band', () => {
  it('hears nothing from the removal on, got everything before it, and cannot write', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const binding = { event: 'INSERT' as const, table: 'band_events', filter: `band_id=eq.${bandId}` };
    const witness = collect(await signedInRealtime(alice), 'witness', binding);
    await subscribedToChanges(witness.channel);
    const received: { seq: number; at: number }[] = [];
    const bobs = (await signedInRealtime(bob))
      .channel('band')
      .on('postgres_changes', { schema: 'public', ...binding }, (change: Change) =>
        received.push({ seq: seqOf(change), at: performance.now() }),
      );
    await subscribedToChanges(bobs);
    const [head] = (await logSeqs(alice.client, bandId, 0)).slice(-1);
    const { data: song } = await alice.client
      .from('songs')
      .insert({ band_id: bandId, title: 'Shared' })
      .select()
      .single();

    // A writer that keeps going through the removal, as another member would.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await addSong(alice.client, bandId, `Stream ${i}`);
    })();
    await until(() => received.length >= 5);
    const removed = await alice.client
      .from('band_memberships')
      .delete()
      .eq('band_id', bandId)
      .eq('user_id', bob.userId)
      .select();
    const removedAt = performance.now();
    expect(removed.data).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    writing = false;
    await writer;

    const log = await logSeqs(alice.client, bandId, head!);
    const { data: removal } = await alice.client
      .from('band_events')
      .select('seq')
      .eq('band_id', bandId)
      .eq('table_name', 'band_memberships')
      .eq('op', 'DELETE')
      .single();
    const firstAfter = log.find((seq) => seq > removal!.seq)!;
    await until(() => witness.changes.some((c) => seqOf(c) === firstAfter));
    const seqs = received.map((r) => r.seq);
    // Nothing from the removal on; before it, every event up to the last one delivered, in order.
    expect(seqs.every((seq) => seq < removal!.seq)).toBe(true);
    expect(seqs).not.toContain(firstAfter);
    expect(seqs).toEqual(log.filter((seq) => seq <= seqs[seqs.length - 1]!));
    const lastDeliveredMs = received[received.length - 1]!.at - removedAt;
    expect(lastDeliveredMs).toBeLessThan(1000);
    console.info(
      `removal → last event delivered: ${lastDeliveredMs.toFixed(0)} ms (${seqs.length} delivered, ` +
        `${log.filter((seq) => seq > removal!.seq).length} written after the removal, none delivered)`,
    );

    // REST: the removed member neither reads nor writes the band.
    const insert = await bob.client.from('songs').insert({ band_id: bandId, title: 'Still here?' });
    expect(insert).toMatchObject({ status: 403, error: { code: '42501' } });
    const update = await bob.client.from('songs').update({ title: 'Mine now' }).eq('id', song!.id).select();
    expect(update.data).toEqual([]);
    const read = await bob.client.from('songs').select('id').eq('band_id', bandId);
    expect(read.data).toEqual([]);
    const invite = await bob.client.rpc('create_invite', { band_id: bandId });
    expect(invite.error).not.toBeNull();
    const { data: kept } = await alice.client.from('songs').select('title').eq('id', song!.id).single();
    expect(kept!.title).toBe('Shared');
    await Promise.all([alice.client.removeAllChannels(), bob.client.removeAllChannels()]);
  });
});

describe('the worker API for a band the user is not in', () => {
  it('refuses watch, catch-up and bandAdded, and no event of the band ever reaches the user', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const mallory = await signedUpClient(backend, 'mallory');
    const bandId = await bandWith(alice.client);
    const ownBand = await bandWith(mallory.client, [], 'Mallory’s own');
    const { broker, events } = await signedInBroker(backend, mallory);
    expect((await broker.watchBand('tab-1', ownBand)).ok).toBe(true);

    expect(await broker.watchBand('tab-1', bandId)).toMatchObject({
      ok: false,
      error: { code: 'not_member' },
    });
    expect(await broker.eventsAfter('tab-1', bandId, 0)).toMatchObject({
      ok: false,
      error: { code: 'not_member' },
    });
    await broker.bandAdded('tab-1', bandId);
    // Mallory's own band still answers catch-up, empty when nothing is new.
    const own = await broker.eventsAfter('tab-1', ownBand, 1_000_000);
    expect(own).toEqual({ ok: true, value: [] });

    await addSong(alice.client, bandId, 'Secret');
    await addSong(mallory.client, ownBand, 'Marker');
    // Mallory's own band's later write arrives: anything of Alice's band would have too.
    await until(() =>
      events.some((e) => e.type === 'band:event' && e.bandId === ownBand && e.event.table_name === 'songs'),
    );
    expect(events.filter((e) => e.type === 'band:event' && e.bandId === bandId)).toEqual([]);
    const diagnostics = await broker.diagnostics();
    expect(diagnostics.users[0]!.bands.map((b) => b.bandId)).toEqual([ownBand]);
    // Nothing on the server subscribes Mallory's socket to the band.
    const sockets = backend.realtime.metrics().sockets.filter((s) => s.user_id === mallory.userId);
    expect(JSON.stringify(sockets)).not.toContain(bandId);
    broker.shutdown();
  });
});
