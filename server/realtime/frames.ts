// The frames a socket session sends of its own (replies, channel events, system messages), as
// Supabase Realtime shapes them. Pure: a session sends what these return.
import type { Channel } from './channel.js';
import type { Frame } from './protocol.js';

export function replyFrame(
  to: Pick<Frame, 'joinRef' | 'ref' | 'topic'>,
  status: 'ok' | 'error',
  response: Record<string, unknown>,
): Frame {
  return {
    joinRef: to.joinRef,
    ref: to.ref,
    topic: to.topic,
    event: 'phx_reply',
    payload: { status, response },
  };
}

export function channelFrame(channel: Channel, event: string, payload: Record<string, unknown>): Frame {
  return { joinRef: channel.joinRef, ref: null, topic: channel.topic, event, payload };
}

/** `system` events carry the channel's name without the `realtime:` prefix. */
export function systemFrame(
  channel: Channel,
  status: 'ok' | 'error',
  extension: string,
  message: string,
): Frame {
  const name = channel.topic.replace(/^realtime:/, '');
  return channelFrame(channel, 'system', { status, extension, message, channel: name });
}

/** phx_close: the channel has ended and the client must join again. */
export function closeFrame(channel: Channel): Frame {
  return {
    joinRef: channel.joinRef,
    ref: channel.joinRef,
    topic: channel.topic,
    event: 'phx_close',
    payload: {},
  };
}
