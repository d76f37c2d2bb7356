// Frame encoding for both serializers: vsn 1.0.0 JSON objects, vsn 2.0.0 JSON arrays plus the
// binary broadcast frame a client pushes (kind 3). Outgoing frames are always JSON text, which
// every client version reads.
import { asText } from './filters.js';
import type { Frame, Vsn } from './protocol.js';

export class FrameError extends Error {}

const asRef = (value: unknown): string | null =>
  value === null || value === undefined ? null : asText(value);

function fromParts(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): Frame {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 512)
    throw new FrameError('topic must be a string');
  if (typeof event !== 'string' || event.length === 0 || event.length > 256)
    throw new FrameError('event must be a string');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new FrameError('payload must be an object');
  return {
    joinRef: asRef(joinRef),
    ref: asRef(ref),
    topic,
    event,
    payload: payload as Record<string, unknown>,
  };
}

export function decode(data: Buffer, isBinary: boolean, vsn: Vsn): Frame {
  if (isBinary) return decodeBinary(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw new FrameError('frame is not valid JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5)
      throw new FrameError('vsn 2.0.0 frames are [join_ref, ref, topic, event, payload]');
    return fromParts(parsed[0], parsed[1], parsed[2], parsed[3], parsed[4]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new FrameError('vsn 1.0.0 frames are objects');
  const o = parsed as Record<string, unknown>;
  return fromParts(o['join_ref'], o['ref'], o['topic'], o['event'], o['payload']);
}

/** Kind 3 (client broadcast push): u8 kind, u8 lengths of joinRef, ref, topic, event, meta; u8 encoding; strings; payload. */
function decodeBinary(data: Buffer): Frame {
  if (data.length < 7 || data[0] !== 3)
    throw new FrameError('only binary broadcast frames (kind 3) are accepted');
  const [joinRefLen, refLen, topicLen, eventLen, metaLen] = [
    data[1]!,
    data[2]!,
    data[3]!,
    data[4]!,
    data[5]!,
  ];
  const encoding = data[6]!;
  let offset = 7;
  const take = (length: number): string => {
    if (offset + length > data.length) throw new FrameError('binary frame is truncated');
    const text = data.subarray(offset, offset + length).toString('utf8');
    offset += length;
    return text;
  };
  const joinRef = take(joinRefLen);
  const ref = take(refLen);
  const topic = take(topicLen);
  const event = take(eventLen);
  take(metaLen);
  const body = data.subarray(offset);
  let payload: unknown;
  if (encoding === 1) {
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new FrameError('binary frame payload is not valid JSON');
    }
  } else {
    payload = { binary: body.toString('base64') };
  }
  return fromParts(joinRef || null, ref || null, topic, 'broadcast', { type: 'broadcast', event, payload });
}

export function encode(frame: Frame, vsn: Vsn): string {
  if (vsn === '2.0.0')
    return JSON.stringify([frame.joinRef, frame.ref, frame.topic, frame.event, frame.payload]);
  return JSON.stringify({
    join_ref: frame.joinRef,
    ref: frame.ref,
    topic: frame.topic,
    event: frame.event,
    payload: frame.payload,
  });
}

/**
 * A frame whose payload is already JSON text: a change is encoded once and spliced into each
 * subscriber's frame, instead of being stringified once per socket.
 */
export function encodeWithPayload(frame: Omit<Frame, 'payload'>, payloadJson: string, vsn: Vsn): string {
  const [joinRef, ref, topic, event] = [frame.joinRef, frame.ref, frame.topic, frame.event].map((v) =>
    JSON.stringify(v),
  );
  if (vsn === '2.0.0') return `[${joinRef},${ref},${topic},${event},${payloadJson}]`;
  return `{"join_ref":${joinRef},"ref":${ref},"topic":${topic},"event":${event},"payload":${payloadJson}}`;
}
