// /rest/v1: the PostgREST subset through supabase-js, and bad input answered with clear errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { bandWith, signedUpClient, type Client } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();
let alice: Client;
let aliceToken: string;
let bandId: string;
/** A service_role token signed with the wrong secret. */
let forgedToken: string;

beforeAll(async () => {
  forgedToken = await new SignJWT({ role: 'service_role' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('wrong-secret-wrong-secret-wrong-secret'));
  const signedUp = await signedUpClient(backend, 'alice');
  alice = signedUp.client;
  aliceToken = (await alice.auth.getSession()).data.session!.access_token;
  bandId = await bandWith(alice, [], 'REST band');
  const songs = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'].map((title, i) => ({
    band_id: bandId,
    title,
    artist: i % 2 ? 'Odd' : 'Even',
    bpm: 100 + i * 10,
    key: i === 4 ? null : 'C',
  }));
  const { error } = await alice.from('songs').insert(songs);
  if (error) throw new Error(error.message);
});

/** A raw request, for what supabase-js would never send. */
function raw(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('apikey')) headers.set('apikey', backend.anonKey);
  headers.set('Authorization', `Bearer ${init.token ?? aliceToken}`);
  return fetch(`${backend.url}${path}`, { ...init, headers });
}

describe('reads', () => {
  it('selects columns with aliases, filters, order, limit and offset', async () => {
    const { data, error } = await alice
      .from('songs')
      .select('name:title, bpm')
      .eq('band_id', bandId)
      .gte('bpm', 110)
      .neq('title', 'Delta')
      .order('bpm', { ascending: false })
      .range(0, 1);
    expect(error).toBeNull();
    expect(data).toEqual([
      { name: 'Echo', bpm: 140 },
      { name: 'Charlie', bpm: 120 },
    ]);
  });

  it('filters with in, is, like and lt', async () => {
    const inList = await alice
      .from('songs')
      .select('title')
      .in('title', ['Alpha', 'Echo', 'Nope'])
      .order('title');
    expect(inList.data).toEqual([{ title: 'Alpha' }, { title: 'Echo' }]);
    const isNull = await alice.from('songs').select('title').eq('band_id', bandId).is('key', null);
    expect(isNull.data).toEqual([{ title: 'Echo' }]);
    const like = await alice.from('songs').select('title').ilike('title', '%LT%');
    expect(like.data).toEqual([{ title: 'Delta' }]);
    const lt = await alice.from('songs').select('title').eq('band_id', bandId).lt('bpm', 110);
    expect(lt.data).toEqual([{ title: 'Alpha' }]);
    const not = await alice
      .from('songs')
      .select('title')
      .eq('band_id', bandId)
      .not('key', 'is', null)
      .order('title');
    expect(not.data?.map((s) => s.title)).toEqual(['Alpha', 'Bravo', 'Charlie', 'Delta']);
  });

  it('counts exactly, with and without rows', async () => {
    const counted = await alice
      .from('songs')
      .select('title', { count: 'exact' })
      .eq('band_id', bandId)
      .limit(2);
    expect(counted.count).toBe(5);
    expect(counted.data).toHaveLength(2);
    const head = await alice.from('songs').select('*', { count: 'exact', head: true }).eq('artist', 'Odd');
    expect(head.count).toBe(2);
    expect(head.data).toBeNull();
  });

  it('answers single() with one object, and 406 PGRST116 for none or many', async () => {
    const one = await alice.from('songs').select('title').eq('title', 'Bravo').single();
    expect(one.data).toEqual({ title: 'Bravo' });
    const none = await alice.from('songs').select('title').eq('title', 'Zulu').single();
    expect(none.status).toBe(406);
    expect(none.error?.code).toBe('PGRST116');
    const many = await alice.from('songs').select('title').eq('band_id', bandId).single();
    expect(many.error?.code).toBe('PGRST116');
    const maybe = await alice.from('songs').select('title').eq('title', 'Zulu').maybeSingle();
    expect(maybe).toMatchObject({ data: null, error: null });
  });

  it('serializes timestamps and numbers as PostgREST does', async () => {
    const { data } = await alice.from('songs').select('bpm, created_at').eq('title', 'Alpha').single();
    const row = data as { bpm: number; created_at: string };
    expect(row.bpm).toBe(100);
    expect(row.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
  });
});

describe('writes', () => {
  it('inserts many rows with return=representation, and minimal returns no body', async () => {
    const many = await alice
      .from('songs')
      .insert([
        { band_id: bandId, title: 'M1', bpm: 90 },
        { band_id: bandId, title: 'M2' },
      ])
      .select('title, bpm');
    expect(many.status).toBe(201);
    expect(many.data).toEqual([
      { title: 'M1', bpm: 90 },
      { title: 'M2', bpm: null },
    ]);
    const minimal = await alice.from('songs').insert({ band_id: bandId, title: 'M3' });
    expect(minimal).toMatchObject({ status: 201, data: null, error: null });
  });

  it('takes column defaults for missing keys with defaultToNull: false', async () => {
    const { data, error } = await alice
      .from('songs')
      .insert(
        [
          { band_id: bandId, title: 'D1', notes: 'n' },
          { band_id: bandId, title: 'D2' },
        ],
        { defaultToNull: false },
      )
      .select('title, notes');
    expect(error).toBeNull();
    expect(data).toEqual([
      { title: 'D1', notes: 'n' },
      { title: 'D2', notes: '' },
    ]);
  });

  it('upserts: merge updates the row, ignore leaves it, both keep one row per id', async () => {
    const id = crypto.randomUUID();
    await alice.from('songs').upsert({ id, band_id: bandId, title: 'U1' });
    const merged = await alice
      .from('songs')
      .upsert({ id, band_id: bandId, title: 'U2' })
      .select('title, version');
    expect(merged.data).toEqual([{ title: 'U2', version: 2 }]);
    const ignored = await alice
      .from('songs')
      .upsert({ id, band_id: bandId, title: 'U3' }, { ignoreDuplicates: true })
      .select('title');
    expect(ignored.data).toEqual([]);
    const { data } = await alice.from('songs').select('title').eq('id', id);
    expect(data).toEqual([{ title: 'U2' }]);
  });

  it('updates and deletes only the filtered rows', async () => {
    await alice.from('songs').insert([
      { band_id: bandId, title: 'W1', artist: 'Temp' },
      { band_id: bandId, title: 'W2', artist: 'Temp' },
    ]);
    const updated = await alice
      .from('songs')
      .update({ notes: 'edited' })
      .eq('title', 'W1')
      .select('title, notes');
    expect(updated.data).toEqual([{ title: 'W1', notes: 'edited' }]);
    const deleted = await alice.from('songs').delete({ count: 'exact' }).eq('artist', 'Temp');
    expect(deleted.count).toBe(2);
    expect((await alice.from('songs').select('id').eq('artist', 'Temp')).data).toEqual([]);
  });

  it('answers a unique violation with 409 23505', async () => {
    const id = crypto.randomUUID();
    await alice.from('songs').insert({ id, band_id: bandId, title: 'Once' });
    const again = await alice.from('songs').insert({ id, band_id: bandId, title: 'Twice' });
    expect(again.status).toBe(409);
    expect(again.error?.code).toBe('23505');
  });

  it('answers a check violation with 400 23514 and writes nothing', async () => {
    const bad = await alice.from('songs').insert({ band_id: bandId, title: 'Too fast', bpm: 9000 });
    expect(bad.status).toBe(400);
    expect(bad.error?.code).toBe('23514');
    expect((await alice.from('songs').select('id').eq('title', 'Too fast')).data).toEqual([]);
  });
});

describe('bad input gets a clear error and the server keeps serving', () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    ['malformed JSON', () => raw('/rest/v1/songs', { method: 'POST', body: '{"title": ' }), 400, 'PGRST102'],
    ['an empty insert body', () => raw('/rest/v1/songs', { method: 'POST', body: '' }), 400, 'PGRST102'],
    ['a scalar insert body', () => raw('/rest/v1/songs', { method: 'POST', body: '42' }), 400, 'PGRST102'],
    ['an unknown table', () => raw('/rest/v1/nope'), 404, 'PGRST205'],
    ['an unknown column', () => raw('/rest/v1/songs?select=nope'), 400, '42703'],
    ['an unknown filter column', () => raw('/rest/v1/songs?nope=eq.1'), 400, '42703'],
    ['an unknown operator', () => raw('/rest/v1/songs?title=sounds_like.x'), 400, 'PGRST100'],
    ['an operator without a value', () => raw('/rest/v1/songs?title=eq'), 400, 'PGRST100'],
    ['a bad in list', () => raw('/rest/v1/songs?title=in.a,b'), 400, 'PGRST100'],
    ['a bad order', () => raw('/rest/v1/songs?order=title.sideways'), 400, 'PGRST100'],
    ['a negative limit', () => raw('/rest/v1/songs?limit=-1'), 400, 'PGRST100'],
    ['an injected identifier', () => raw('/rest/v1/songs?select=title;drop table songs'), 400, 'PGRST100'],
    ['a quoted identifier', () => raw('/rest/v1/songs?order="title"'), 400, 'PGRST100'],
    ['a value of the wrong type', () => raw('/rest/v1/songs?bpm=eq.fast'), 400, '22P02'],
    [
      'an unknown schema',
      () => raw('/rest/v1/songs', { headers: { 'Accept-Profile': 'auth' } }),
      406,
      'PGRST106',
    ],
    [
      'an unknown function',
      () => raw('/rest/v1/rpc/drop_everything', { method: 'POST', body: '{}' }),
      404,
      'PGRST202',
    ],
    [
      'a function argument it does not take',
      () => raw('/rest/v1/rpc/create_band', { method: 'POST', body: '{"name":"x","evil":1}' }),
      404,
      'PGRST202',
    ],
    [
      'a body over 1 MB',
      () => raw('/rest/v1/songs', { method: 'POST', body: JSON.stringify({ notes: 'x'.repeat(1_100_000) }) }),
      413,
      'PGRST413',
    ],
    ['a forged JWT', () => raw('/rest/v1/songs', { token: forgedToken }), 401, 'PGRST301'],
    ['an alg:none JWT', () => raw('/rest/v1/songs', { token: unsigned() }), 401, 'PGRST301'],
    ['a token that is not a JWT', () => raw('/rest/v1/songs', { token: 'not-a-jwt' }), 401, 'PGRST301'],
  ];

  it.each(cases)('answers %s', async (_name, request, status, code) => {
    const response = await request();
    expect(response.status).toBe(status);
    expect(((await response.json()) as { code: string }).code).toBe(code);
    const next = await alice.from('songs').select('id').eq('band_id', bandId).limit(1);
    expect(next.error).toBeNull();
    expect(next.data).toHaveLength(1);
  });

  it('answers an expired JWT with 401 PGRST303', async () => {
    const expired = await backend.keys.sign({ role: 'authenticated', sub: crypto.randomUUID() }, 1_000_000);
    const response = await raw('/rest/v1/songs', { token: expired });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('PGRST303');
  });

  it('refuses requests without an apikey, or with a user token as apikey', async () => {
    const missing = await fetch(`${backend.url}/rest/v1/songs`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'No API key found in request' });
    const userAsKey = await raw('/rest/v1/songs', { headers: { apikey: aliceToken } });
    expect(userAsKey.status).toBe(401);
    expect(await userAsKey.json()).toMatchObject({ message: 'Invalid API key' });
  });

  it('answers a malformed auth body with a GoTrue-shaped error', async () => {
    const response = await fetch(`${backend.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: backend.anonKey, 'Content-Type': 'application/json' },
      body: '{"email":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'bad_json' });
    const grant = await fetch(`${backend.url}/auth/v1/token?grant_type=magic`, {
      method: 'POST',
      headers: { apikey: backend.anonKey, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(await grant.json()).toMatchObject({ code: 'unsupported_grant_type' });
  });

  it('leaves the table intact after an injection attempt in a value', async () => {
    const sneaky = "x'); drop table songs; --";
    const { error } = await alice.from('songs').insert({ band_id: bandId, title: sneaky });
    expect(error).toBeNull();
    const { data } = await alice.from('songs').select('title').eq('title', sneaky);
    expect(data).toEqual([{ title: sneaky }]);
  });
});

function unsigned(): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ role: 'service_role', exp: 9_999_999_999 })}.`;
}
