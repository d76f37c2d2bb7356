// band_heads(band_ids): every watched band's head seq in one call, as the broker's heads check
// reads it through supabase-js. Membership decides what it answers, and the array is bounded.
import { describe, expect, it } from 'vitest';
import { bandWith, client, logSeqs, signedUpClient } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

describe('band_heads', () => {
  it("answers each of the caller's bands with the last seq of its log, in one call", async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const [quiet, busy] = [await bandWith(alice.client), await bandWith(alice.client, [bob.client])];
    for (const title of ['One', 'Two']) await bob.client.from('songs').insert({ band_id: busy, title });

    const { data, error } = await alice.client.rpc('band_heads', { band_ids: [quiet, busy] });
    expect(error).toBeNull();
    expect(data).toEqual({
      [quiet]: (await logSeqs(alice.client, quiet, 0)).at(-1),
      [busy]: (await logSeqs(alice.client, busy, 0)).at(-1),
    });
  });

  it('leaves out a band the caller is not a member of, even beside their own', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const mallory = await signedUpClient(backend, 'mallory');
    const hers = await bandWith(alice.client);
    const his = await bandWith(mallory.client);

    const { data, error } = await mallory.client.rpc('band_heads', { band_ids: [hers, his] });
    expect(error).toBeNull();
    expect(Object.keys(data as object)).toEqual([his]);
    const unknown = await mallory.client.rpc('band_heads', { band_ids: [crypto.randomUUID()] });
    expect(unknown.data).toEqual({});
  });

  it('refuses anonymous callers', async () => {
    const { error } = await client(backend).rpc('band_heads', { band_ids: [] });
    expect(error?.code).toBe('42501');
  });

  it('refuses more than 8000 band ids with a clear error', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const band = await bandWith(alice.client);
    const tooMany = [band, ...Array.from({ length: 8000 }, () => crypto.randomUUID())];
    const { data, error, status } = await alice.client.rpc('band_heads', { band_ids: tooMany });
    expect(data).toBeNull();
    expect(status).toBe(400);
    expect(error).toMatchObject({
      code: '22023',
      message: 'band_heads takes at most 8000 band ids, got 8001',
    });
    const atTheBound = await alice.client.rpc('band_heads', { band_ids: tooMany.slice(0, 8000) });
    expect(Object.keys(atTheBound.data as object)).toEqual([band]);
  });
});
