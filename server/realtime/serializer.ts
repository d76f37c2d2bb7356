// Both Phoenix serializers. vsn 1.0.0: JSON objects. vsn 2.0.0: JSON arrays, plus binary frames
// for user broadcasts: kind 3 from clients, kind 4 to them (realtime-js decodes only kind 4).
// Decoding validates the frame's shape once, so everything past here can trust its types.
import type { BroadcastBody, Frame, Incoming, Vsn } from './protocol.js';

/** A frame this socket cannot read; the session closes the socket with the message. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const BINARY_ENCODING = 0;
const JSON_ENCODING = 1;
const MAX_TOPIC = 255;

// Fatal: text that is not UTF-8 is refused here with a reason, not by ws with a bare 1007.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function utf8Text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FrameError(`${what} is not valid UTF-8`);
  }
}

const asRef = (value: unknown): string | null => {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new FrameError('join_ref and ref must be strings or null');
};

function fromParts(
  joinRef: unknown,
  ref: unknown,
  topic: unknown,
  event: unknown,
  payload: unknown,
): Incoming {
  // Topic and broadcast event go out again in kind 4 frames, whose lengths are one byte.
  if (typeof topic !== 'string' || topic.length === 0 || Buffer.byteLength(topic) > MAX_TOPIC)
    throw new FrameError(`topic must be a string of 1 to ${MAX_TOPIC} bytes`);
  if (typeof event !== 'string' || event.length === 0 || event.length > MAX_TOPIC)
    throw new FrameError('event must be a non-empty string');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new FrameError('payload must be an object');
  const frame: Frame = {
    joinRef: asRef(joinRef),
    ref: asRef(ref),
    topic,
    event,
    payload: payload as Record<string, unknown>,
  };
  if (event !== 'broadcast') return { kind: 'frame', frame };
  const userEvent = frame.payload['event'];
  if (typeof userEvent !== 'string' || userEvent === '' || Buffer.byteLength(userEvent) > MAX_TOPIC)
    throw new FrameError(`a broadcast payload needs an event string of 1 to ${MAX_TOPIC} bytes`);
  return {
    kind: 'broadcast',
    push: { ...frame, event: userEvent, body: { kind: 'json', value: frame.payload['payload'] ?? {} } },
  };
}

export function decode(data: Buffer, isBinary: boolean, vsn: Vsn): Incoming {
  if (isBinary) {
    if (vsn !== '2.0.0') throw new FrameError('binary frames need vsn 2.0.0');
    return decodeUserBroadcastPush(data);
  }
  const text = utf8Text(data, 'text frame');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FrameError('frame is not valid JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5)
      throw new FrameError('vsn 2.0.0 frames are [join_ref, ref, topic, event, payload]');
    return fromParts(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new FrameError('vsn 1.0.0 frames are {topic, event, payload, ref, join_ref} objects');
  const o = parsed as Record<string, unknown>;
  return fromParts(o['join_ref'], o['ref'], o['topic'], o['event'], o['payload']);
}

/** Kind 3: u8 kind, u8 lengths of join_ref, ref, topic, event, meta; u8 encoding; strings; payload. */
function decodeUserBroadcastPush(data: Buffer): Incoming {
  if (data.length < 7 || data[0] !== USER_BROADCAST_PUSH)
    throw new FrameError('only user broadcast frames (binary kind 3) are accepted');
  const encoding = data[6];
  if (encoding !== BINARY_ENCODING && encoding !== JSON_ENCODING)
    throw new FrameError('binary frame encoding must be 0 (binary) or 1 (JSON)');
  let offset = 7;
  // Strictly UTF-8: a lenient decode turns each bad byte into U+FFFD (three bytes), and an event
  // grown past 255 bytes would overflow its one-byte length in the kind 4 frame sent on.
  const take = (length: number, name: string): string => {
    if (offset + length > data.length) throw new FrameError('binary frame is truncated');
    const text = utf8Text(data.subarray(offset, offset + length), `binary frame ${name}`);
    offset += length;
    return text;
  };
  const [joinRef, ref, topic, event] = [
    take(data[1]!, 'join_ref'),
    take(data[2]!, 'ref'),
    take(data[3]!, 'topic'),
    take(data[4]!, 'event'),
  ];
  take(data[5]!, 'metadata'); // `persist`: nothing here stores broadcasts
  if (topic === '' || event === '') throw new FrameError('binary frame needs a topic and an event');
  const bytes = data.subarray(offset);
  let body: BroadcastBody;
  if (encoding === JSON_ENCODING) {
    try {
      body = { kind: 'json', value: JSON.parse(bytes.toString('utf8')) as unknown };
    } catch {
      throw new FrameError('binary frame payload is not valid JSON');
    }
  } else {
    body = { kind: 'binary', bytes: Buffer.from(bytes) };
  }
  return { kind: 'broadcast', push: { joinRef: joinRef || null, ref: ref || null, topic, event, body } };
}

export function encode(frame: Frame, vsn: Vsn): string {
  return encodeWithPayload(frame, JSON.stringify(frame.payload), vsn);
}

/**
 * A frame whose payload is already JSON text: a change is encoded once and spliced into each
 * subscriber's frame instead of being stringified once per socket.
 */
export function encodeWithPayload(frame: Omit<Frame, 'payload'>, payloadJson: string, vsn: Vsn): string {
  const [joinRef, ref, topic, event] = [frame.joinRef, frame.ref, frame.topic, frame.event].map((v) =>
    JSON.stringify(v),
  );
  if (vsn === '2.0.0') return `[${joinRef},${ref},${topic},${event},${payloadJson}]`;
  return `{"join_ref":${joinRef},"ref":${ref},"topic":${topic},"event":${event},"payload":${payloadJson}}`;
}

/**
 * A broadcast to one socket. vsn 2.0.0 gets kind 4 (what the real server sends); vsn 1.0.0 has no
 * binary frames, so bytes travel there as base64 text.
 */
export function encodeBroadcast(
  topic: string,
  event: string,
  body: BroadcastBody,
  vsn: Vsn,
): string | Buffer {
  if (vsn === '1.0.0') {
    const payload = body.kind === 'json' ? body.value : body.bytes.toString('base64');
    return encode(
      { joinRef: null, ref: null, topic, event: 'broadcast', payload: { type: 'broadcast', event, payload } },
      vsn,
    );
  }
  const topicBytes = Buffer.from(topic);
  const eventBytes = Buffer.from(event);
  const payload = body.kind === 'json' ? Buffer.from(JSON.stringify(body.value ?? null)) : body.bytes;
  const header = Buffer.from([
    USER_BROADCAST,
    topicBytes.length,
    eventBytes.length,
    0,
    body.kind === 'json' ? JSON_ENCODING : BINARY_ENCODING,
  ]);
  return Buffer.concat([header, topicBytes, eventBytes, payload]);
}
