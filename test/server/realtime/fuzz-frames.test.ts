// Fuzzes the realtime endpoint with Phoenix frames of every shape: both serializers (vsn 1.0.0
// objects, 2.0.0 arrays) and 2.0.0 binary frames, well-formed, wrong-typed, truncated, huge,
// invalid UTF-8, on sockets of either vsn. Whatever a socket sends, it gets an error reply or a
// close with a clear code and reason; the server keeps serving; the unmodified supabase-js client
// on another socket still receives every change and broadcast; and nothing leaks.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { bandWith, logSeqs, signedUpClient, until, type Client } from '../../support/backend.js';
import { useBackend } from '../../support/use-backend.js';
import { decode, encodeBroadcast, FrameError } from '../../../server/realtime/serializer.js';
import { RawSocket, signedInRealtime, socketUrl, subscribe, subscribedToChanges } from './support.js';

/** The topic the well-behaved clients are on; the fuzzer joins and broadcasts on it too. */
const SHARED = 'realtime:fuzz-shared';

const backend = useBackend();
let alice: { client: Client; userId: string };
let aliceToken: string;
let bandId: string;
/** supabase-js, subscribed to the band's log and to broadcasts on SHARED. */
let watcher: Client;
let watched: RealtimeChannel;
const loggedSeqs: number[] = [];
const broadcasts: unknown[] = [];
/** A raw vsn 2.0.0 socket joined to SHARED: checks every binary frame the server sends it. */
let bystander: RawSocket;

beforeAll(async () => {
  alice = await signedUpClient(backend, 'fuzz-alice');
  aliceToken = (await alice.client.auth.getSession()).data.session!.access_token;
  bandId = await bandWith(alice.client);
  watcher = await signedInRealtime(alice);
  watched = watcher
    .channel(SHARED.replace(/^realtime:/, ''), { config: { broadcast: { self: false } } })
    .on(
      'postgres_changes',
      { event: 'INSERT', schema: 'public', table: 'band_events', filter: `band_id=eq.${bandId}` },
      (change) => loggedSeqs.push((change.new as { seq: number }).seq),
    )
    .on('broadcast', { event: '*' }, (message) => broadcasts.push(message['payload']));
  await subscribedToChanges(watched);
  bystander = await RawSocket.open(socketUrl(backend));
  bystander.send(['b1', 'b1', SHARED, 'phx_join', { config: { broadcast: { self: false } } }]);
  expect((await bystander.reply('b1'))[4]).toMatchObject({ status: 'ok' });
});
afterAll(async () => {
  bystander.close();
  await watcher.removeAllChannels();
});

// ── What the fuzzer sends ──

type Vsn = '1.0.0' | '2.0.0';
type Parts = { joinRef: unknown; ref: unknown; topic: unknown; event: unknown; payload: unknown };
/** A frame to send: Phoenix parts (encoded per the socket's vsn, or on purpose in the other one), or raw data. */
type Op =
  | { kind: 'parts'; parts: Parts; serializer: 'own' | 'other' }
  | { kind: 'text'; data: string }
  | { kind: 'bytes-as-text'; data: Uint8Array }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'huge'; bytes: number; binary: boolean };

const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));

const json = fc.jsonValue({ maxDepth: 3 });
const ref = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 6 }) },
  fc.constant(null),
  fc.integer(),
  json,
);
const topic = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(SHARED, 'realtime:fuzz', 'phoenix', 'realtime:', '') },
  fc.string({ maxLength: 40 }).map((name) => `realtime:${name}`),
  fc.string({ maxLength: 300, unit: 'grapheme' }),
  json,
);
const event = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'phx_join',
      'phx_leave',
      'heartbeat',
      'access_token',
      'presence',
      'broadcast',
      'phx_reply',
    ),
  },
  fc.string({ maxLength: 300 }),
  json,
);
const filter = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('band_id', 'id', 'seq', 'kind', 'nope', '1x'),
      fc.constantFrom('eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'like'),
      fc.oneof(
        fc.string({ maxLength: 12 }),
        fc.array(fc.string({ maxLength: 3 })).map((v) => `(${v.join(',')})`),
      ),
    )
    .map(([column, op, value]) => `${column}=${op}.${value}`),
  json,
);
const binding = fc.record(
  {
    event: fc.oneof(fc.constantFrom('*', 'INSERT', 'UPDATE', 'DELETE'), json),
    schema: fc.oneof(fc.constantFrom('public', 'auth', 'realtime'), json),
    table: fc.oneof(fc.constantFrom('songs', 'band_events', 'bands', 'band_memberships', 'nope'), json),
    filter,
  },
  { requiredKeys: [] },
);
const config = fc.record(
  {
    broadcast: fc.oneof(fc.record({ self: json, ack: json }, { requiredKeys: [] }), json),
    presence: fc.oneof(fc.record({ key: json, enabled: json }, { requiredKeys: [] }), json),
    postgres_changes: fc.oneof(fc.array(binding, { maxLength: 4 }), json),
    private: json,
  },
  { requiredKeys: [] },
);
const payload = fc.oneof(
  fc.record(
    {
      config: fc.oneof({ weight: 3, arbitrary: config }, json),
      access_token: fc.oneof(fc.constant('TOKEN'), fc.string({ maxLength: 20 }), json),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      type: fc.constant('broadcast'),
      event: fc.oneof(fc.string({ maxLength: 300 }), json),
      payload: json,
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      type: fc.constant('presence'),
      event: fc.oneof(fc.constantFrom('track', 'untrack'), json),
      payload: json,
    },
    { requiredKeys: [] },
  ),
  fc.record({ access_token: fc.oneof(fc.constant('TOKEN'), fc.constant('EXPIRED'), json) }),
  json,
);
const parts = fc.record({ joinRef: ref, ref, topic, event, payload });

/** A kind-3 broadcast push, honest or lying about its lengths, kind, encoding or end. */
const binaryPush = fc
  .record({
    kind: fc.constantFrom(3, 3, 3, 4, 0, 255),
    joinRef: fc.oneof(fc.constant(utf8('')), fc.uint8Array({ maxLength: 4 })),
    ref: fc.oneof(fc.constant(utf8('r')), fc.uint8Array({ maxLength: 4 })),
    topic: fc.oneof(fc.constant(utf8(SHARED)), fc.uint8Array({ maxLength: 40 })),
    event: fc.oneof(fc.string({ maxLength: 20 }).map(utf8), fc.uint8Array({ maxLength: 255, size: 'max' })),
    meta: fc.uint8Array({ maxLength: 4 }),
    encoding: fc.constantFrom(0, 1, 1, 2),
    body: fc.oneof(
      json.map((v) => utf8(JSON.stringify(v))),
      fc.uint8Array({ maxLength: 40 }),
    ),
    lie: fc.option(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 255 }))),
    cut: fc.option(fc.nat(), { freq: 4 }),
  })
  .map(({ kind, joinRef, ref, topic, event, meta, encoding, body, lie, cut }) => {
    const strings = [joinRef, ref, topic, event, meta];
    const header = [kind, ...strings.map((s) => s.length % 256), encoding];
    if (lie) header[lie[0]] = lie[1];
    const frame = Buffer.concat([Buffer.from(header), ...strings, body]);
    return new Uint8Array(cut === null ? frame : frame.subarray(0, cut % (frame.length + 1)));
  });

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('parts' as const),
      parts,
      serializer: fc.constantFrom('own' as const, 'own' as const, 'other' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('binary' as const), data: binaryPush }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      data: fc.oneof(
        fc.string({ maxLength: 60 }),
        json.map((v) => JSON.stringify(v)),
        parts
          .map((p) => JSON.stringify([p.joinRef, p.ref, p.topic, p.event, p.payload]))
          .chain((text) => fc.nat({ max: text.length }).map((end) => text.slice(0, end))),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('binary' as const), data: fc.uint8Array({ maxLength: 64 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('bytes-as-text' as const),
      data: fc.uint8Array({ maxLength: 32 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      bytes: fc.constantFrom(200 * 1024, 330 * 1024, 600 * 1024),
      binary: fc.boolean(),
    }),
  },
);

/** The well-formed join of SHARED, so later pushes reach the well-behaved members there. */
const joinShared: Op = {
  kind: 'parts',
  parts: { joinRef: 'j', ref: 'j', topic: SHARED, event: 'phx_join', payload: { config: {} } },
  serializer: 'own',
};

const session = fc.record({
  vsn: fc.constantFrom('1.0.0', '2.0.0', '2.0.0', 'bogus', null),
  ops: fc
    .tuple(fc.boolean(), fc.array(op, { minLength: 1, maxLength: 8 }))
    .map(([join, ops]) => (join ? [joinShared, ...ops] : ops)),
});

function encodeParts(p: Parts, vsn: Vsn): string {
  if (vsn === '2.0.0') return JSON.stringify([p.joinRef, p.ref, p.topic, p.event, p.payload]);
  return JSON.stringify({
    join_ref: p.joinRef,
    ref: p.ref,
    topic: p.topic,
    event: p.event,
    payload: p.payload,
  });
}

/** Placeholders become real tokens: alice's, or one the server must refuse as expired. */
function withTokens(value: unknown, expired: string): unknown {
  if (value === 'TOKEN') return aliceToken;
  if (value === 'EXPIRED') return expired;
  if (Array.isArray(value)) return value.map((v) => withTokens(v, expired));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withTokens(v, expired)]));
  return value;
}

function send(ws: WebSocket, op: Op, vsn: Vsn, expired: string): void {
  switch (op.kind) {
    case 'parts': {
      const own = op.serializer === 'own';
      const parts = withTokens(op.parts, expired) as Parts;
      return ws.send(encodeParts(parts, own === (vsn === '2.0.0') ? '2.0.0' : '1.0.0'));
    }
    case 'text':
      return ws.send(op.data);
    case 'bytes-as-text':
      return ws.send(op.data, { binary: false });
    case 'binary':
      return ws.send(op.data, { binary: true });
    case 'huge': {
      const body = JSON.stringify([
        null,
        'h',
        SHARED,
        'broadcast',
        { type: 'broadcast', event: 'e', payload: 'x'.repeat(op.bytes) },
      ]);
      return ws.send(op.binary ? Buffer.alloc(op.bytes, 3) : body, { binary: op.binary });
    }
  }
}

/** What the fuzzing socket saw: its frames (vsn 1.0.0 objects normalised to arrays) and its close. */
interface Observed {
  frames: unknown[][];
  binaries: Buffer[];
  closed: { code: number; reason: string } | undefined;
}

function observe(ws: WebSocket): Observed {
  const seen: Observed = { frames: [], binaries: [], closed: undefined };
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) return void seen.binaries.push(data);
    // Every text frame the server sends must be JSON in one of the two shapes.
    const frame = JSON.parse(data.toString()) as unknown;
    if (Array.isArray(frame)) seen.frames.push(frame);
    else {
      const o = frame as Record<string, unknown>;
      seen.frames.push([o['join_ref'], o['ref'], o['topic'], o['event'], o['payload']]);
    }
  });
  ws.on('close', (code, reason) => (seen.closed = { code, reason: reason.toString() }));
  return seen;
}

/** Checks a kind 4 frame as realtime-js reads it: lengths inside the frame, strings UTF-8, JSON parses. */
function readableKind4(frame: Buffer, topicOf = SHARED): string | undefined {
  if (frame.length < 5 || frame[0] !== 4) return `kind ${frame[0]} is not 4`;
  const [topicLen, eventLen, metaLen, encoding] = [frame[1]!, frame[2]!, frame[3]!, frame[4]!];
  const end = 5 + topicLen + eventLen + metaLen;
  if (end > frame.length) return 'lengths run past the end';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    const topic = decoder.decode(frame.subarray(5, 5 + topicLen));
    decoder.decode(frame.subarray(5 + topicLen, 5 + topicLen + eventLen));
    if (topic !== topicOf) return `topic ${JSON.stringify(topic)}`;
    if (encoding === 1) JSON.parse(decoder.decode(frame.subarray(end)));
  } catch (error) {
    return String(error);
  }
  return undefined;
}

let probes = 0;
/** The socket answers a heartbeat, or has been closed. Never silence. */
async function heartbeatOrClose(ws: WebSocket, seen: Observed, vsn: Vsn): Promise<'answered' | 'closed'> {
  const probe = `probe-${++probes}`;
  if (ws.readyState === WebSocket.OPEN)
    ws.send(
      encodeParts({ joinRef: null, ref: probe, topic: 'phoenix', event: 'heartbeat', payload: {} }, vsn),
    );
  await until(
    () => seen.closed !== undefined || seen.frames.some((f) => f[1] === probe && f[3] === 'phx_reply'),
    5000,
  );
  if (seen.closed) return 'closed';
  expect(seen.frames.find((f) => f[1] === probe)![4]).toEqual({ status: 'ok', response: {} });
  return 'answered';
}

let songs = 0;
/** A write made now reaches the supabase-js watcher: its seq is the log's newest. */
async function watcherReceivesNextWrite(): Promise<void> {
  const { error } = await alice.client
    .from('songs')
    .insert({ band_id: bandId, title: `after fuzz ${++songs}` });
  if (error) throw new Error(error.message);
  const head = (await logSeqs(alice.client, bandId, 0)).at(-1)!;
  await until(() => loggedSeqs.includes(head), 5000);
}

const expiredToken = (): Promise<string> =>
  backend.keys.sign({ sub: alice.userId, role: 'authenticated' }, Math.floor(Date.now() / 1000) - 60);

describe('realtime frames, fuzzed', () => {
  it('answers or closes every socket clearly, and the server and other clients keep working', async () => {
    const expired = await expiredToken();
    const baseline = backend.realtime.metrics().totals;
    await fc.assert(
      fc.asyncProperty(session, async ({ vsn: asked, ops }) => {
        const vsn: Vsn = asked === '2.0.0' ? '2.0.0' : '1.0.0';
        const query = asked === null ? '' : `&vsn=${asked}`;
        const ws = new WebSocket(`${socketUrl(backend).replace(/&vsn=.*$/, '')}${query}`);
        const seen = observe(ws);
        await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
        for (const item of ops) if (ws.readyState === WebSocket.OPEN) send(ws, item, vsn, expired);
        const outcome = await heartbeatOrClose(ws, seen, vsn);

        if (outcome === 'closed') {
          // 1007: a frame the server cannot read, with the reason; 1009 (RFC 6455 "message too
          // big"): a frame over the size limit, which ws refuses before reading it, code only.
          expect([1007, 1009]).toContain(seen.closed!.code);
          if (seen.closed!.code === 1007) expect(seen.closed!.reason).not.toBe('');
        }
        for (const [, , , ev, body] of seen.frames) {
          if (ev !== 'phx_reply') continue;
          const { status, response } = body as { status: string; response: { reason?: unknown } };
          expect(['ok', 'error']).toContain(status);
          if (status === 'error') {
            expect(typeof response.reason).toBe('string');
            expect(response.reason).not.toBe('');
            expect(response.reason).not.toBe('Internal error');
          }
        }
        for (const frame of seen.binaries) expect(readableKind4(frame)).toBeUndefined();

        if (ws.readyState !== WebSocket.CLOSED) {
          ws.close();
          await until(() => seen.closed !== undefined, 5000);
        }
        // Nothing the fuzzer joined outlives its socket.
        await until(() => {
          const totals = backend.realtime.metrics().totals;
          return totals.sockets === baseline.sockets && totals.channels === baseline.channels;
        }, 5000);
        // The well-behaved clients: the raw one reads every binary frame, supabase-js gets the write.
        for (const frame of bystander.binaries.splice(0)) expect(readableKind4(frame)).toBeUndefined();
        expect(await heartbeatOrClose(bystander.ws, observeOnce(bystander), '2.0.0')).toBe('answered');
        await watcherReceivesNextWrite();
      }),
      { numRuns: 100 },
    );
  });

  it('still carries a broadcast between supabase-js clients after the fuzzing', async () => {
    const sender = await signedInRealtime(await signedUpClient(backend, 'fuzz-sender'));
    const channel = sender.channel(SHARED.replace(/^realtime:/, ''));
    await subscribe(channel);
    const before = broadcasts.length;
    await channel.send({ type: 'broadcast', event: 'hello', payload: { n: 1 } });
    await until(() => broadcasts.length > before, 5000);
    expect(broadcasts.at(-1)).toEqual({ n: 1 });
    await sender.removeAllChannels();
  });
});

/** The bystander's frames in the shape heartbeatOrClose reads. */
function observeOnce(socket: RawSocket): Observed {
  return {
    frames: socket.frames,
    binaries: socket.binaries,
    get closed() {
      return socket.ws.readyState === WebSocket.CLOSED ? { code: 0, reason: 'bystander closed' } : undefined;
    },
  };
}

describe('the serializer, fuzzed', () => {
  it('re-encodes every binary push it accepts as a kind 4 frame realtime-js reads back unchanged', () => {
    fc.assert(
      fc.property(binaryPush, (data) => {
        let incoming;
        try {
          incoming = decode(Buffer.from(data), true, '2.0.0');
        } catch (error) {
          expect(error).toBeInstanceOf(FrameError);
          return;
        }
        expect(incoming.kind).toBe('broadcast');
        if (incoming.kind !== 'broadcast') return;
        const { topic, event, body } = incoming.push;
        const out = encodeBroadcast(topic, event, body, '2.0.0') as Buffer;
        expect(readableKind4(out, topic)).toBeUndefined();
        expect(out.subarray(5 + out[1]!, 5 + out[1]! + out[2]!).toString()).toBe(event);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a binary broadcast whose event is not UTF-8', () => {
    // The property's shrunk counterexample: a 126-byte event with 65 bytes 0x80, decoded leniently
    // to 65 U+FFFD (three bytes each), 256 bytes in all; the kind 4 frame sent on to every member
    // of the topic said event length 0 (256 in one byte), and realtime-js read garbage.
    // prettier-ignore
    const event = Buffer.from([128,0,128,0,128,0,128,0,0,128,128,128,0,128,0,128,0,0,128,0,128,128,0,128,128,128,128,0,0,128,128,0,128,128,0,0,0,128,0,0,128,0,128,0,0,128,128,128,128,0,0,0,128,0,128,128,0,128,0,128,0,0,128,0,0,0,128,128,0,0,0,128,0,0,0,0,0,128,128,128,128,0,128,128,128,128,128,128,0,0,0,128,0,128,128,0,128,128,0,0,128,0,128,0,128,0,128,0,0,0,0,128,128,0,128,0,128,128,128,0,0,128,128,0,128,128]);
    const frame = Buffer.concat([
      Buffer.from([3, 0, 1, SHARED.length, event.length, 0, 0]),
      Buffer.from(`r${SHARED}`),
      event,
      Buffer.from('null'),
    ]);
    expect(() => decode(frame, true, '2.0.0')).toThrow(
      new FrameError('binary frame event is not valid UTF-8'),
    );
  });
});

describe('regressions found by fuzzing', () => {
  it('closes a socket that sends a text frame that is not UTF-8 with 1007 and the reason', async () => {
    const raw = await RawSocket.open(socketUrl(backend, '1.0.0'));
    const closed = raw.closed();
    raw.ws.send(Buffer.from([0x80]), { binary: false });
    expect(await closed).toEqual({ code: 1007, reason: 'text frame is not valid UTF-8' });
  });
});
