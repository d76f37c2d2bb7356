// Property-based fuzzing of the HTTP boundaries: any PostgREST query string, any body, any GoTrue
// body gets a clear 4xx error (never a 5xx, never a hang), and the server keeps answering.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseReadQuery, QueryError } from '../../server/rest/query.js';
import { bandWith, signedUpClient } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();
let token: string;
let bandId: string;

beforeAll(async () => {
  const alice = await signedUpClient(backend, 'alice');
  token = (await alice.client.auth.getSession()).data.session!.access_token;
  bandId = await bandWith(alice.client);
  await alice.client.from('songs').insert({ band_id: bandId, title: 'Canary' });
});

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60);

const column = fc.constantFrom(
  'id',
  'title',
  'bpm',
  'band_id',
  'deleted_at',
  'nope',
  'title"',
  '',
  '*',
  'a b',
);
const operator = fc.constantFrom(
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'in',
  'is',
  'not.eq',
  'fts',
  '',
);
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('null', 'true', '(1,2)', '("a,b",c)', '(', ')', '%', '*', "'", '"', '\\', '1e309', 'NaN'),
  fc.uuid(),
);
const param = fc.oneof(
  fc.tuple(column, operator, value).map(([c, o, v]) => [c, `${o}.${v}`] as const),
  fc.tuple(
    fc.constantFrom('select', 'order', 'limit', 'offset', 'on_conflict', 'columns', 'or'),
    fc.string({ maxLength: 40 }),
  ),
  fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 })),
);
const query = fc
  .array(param, { maxLength: 5 })
  .map((params) => new URLSearchParams(params.map(([k, v]) => [k, v])));

async function request(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${backend.url}${path}`, {
    method,
    headers: {
      apikey: backend.anonKey,
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    ...(body === undefined ? {} : { body }),
  });
}

async function stillServing(): Promise<void> {
  const response = await request('GET', `/rest/v1/songs?select=title&band_id=eq.${bandId}&title=eq.Canary`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual([{ title: 'Canary' }]);
}

/** A 4xx with a PostgREST/GoTrue-shaped body, or a success. Never a 5xx. */
async function expectClearAnswer(response: Response): Promise<void> {
  expect(response.status, await response.clone().text()).toBeLessThan(500);
  if (response.status >= 400) {
    const body = (await response.json()) as Record<string, unknown>;
    expect(typeof body['message'] === 'string' || typeof body['msg'] === 'string').toBe(true);
  }
}

describe('fuzzed boundaries', () => {
  it('parses any query string into a value or a QueryError, nothing else', () => {
    fc.assert(
      fc.property(query, (params) => {
        try {
          parseReadQuery(params);
        } catch (error) {
          expect(error).toBeInstanceOf(QueryError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('answers any GET query on a table with success or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        await expectClearAnswer(await request('GET', `/rest/v1/songs?${params.toString()}`));
      }),
      { numRuns: RUNS },
    );
    await stillServing();
  });

  it('answers any insert, update or delete body with success or a clear 4xx, and rows outside its filter survive', async () => {
    const json = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 50 }),
      fc
        .record({
          band_id: fc.constantFrom(bandId, 'x'),
          title: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        })
        .map((r) => JSON.stringify(r)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PATCH', 'DELETE'),
        json,
        query,
        async (method, body, params) => {
          // Writes go to another band's filter so the canary row survives.
          params.set('title', 'eq.not-the-canary');
          await expectClearAnswer(await request(method, `/rest/v1/songs?${params.toString()}`, body));
        },
      ),
      { numRuns: RUNS },
    );
    await stillServing();
  });

  it('answers any RPC call with success or a clear 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('create_band', 'join_band', 'create_invite', 'nope', 'create_band;', '..'),
        fc.oneof(fc.json({ maxDepth: 2 }), fc.constant('{"name": 1e400}'), fc.constant('[1,2]')),
        async (fn, body) => {
          await expectClearAnswer(await request('POST', `/rest/v1/rpc/${encodeURIComponent(fn)}`, body));
        },
      ),
      { numRuns: RUNS },
    );
    await stillServing();
  });

  it('answers any GoTrue body with success or a clear 4xx', async () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 2 }),
      fc
        .record({
          email: fc.oneof(fc.emailAddress(), fc.string()),
          password: fc.oneof(fc.string(), fc.integer()),
        })
        .map((r) => JSON.stringify(r)),
      fc.string({ maxLength: 40 }),
    );
    const path = fc.constantFrom(
      '/auth/v1/signup',
      '/auth/v1/token?grant_type=password',
      '/auth/v1/token?grant_type=refresh_token',
      '/auth/v1/logout',
      '/auth/v1/user',
    );
    await fc.assert(
      fc.asyncProperty(path, body, async (p, b) => {
        await expectClearAnswer(await request(p === '/auth/v1/user' ? 'PUT' : 'POST', p, b));
      }),
      { numRuns: RUNS },
    );
    await stillServing();
  });
});
