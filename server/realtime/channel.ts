// A joined channel: what one socket subscribed to on one topic, under which claims. Parsing of the
// phx_join config lives here so the session only decides, in order, whether a join may happen.
import type { Claims } from '../auth/jwt.js';
import { BindingError, parseBindings } from './postgres-changes.js';
import type { JoinConfig, Vsn } from './protocol.js';

export { BindingError };

export interface Channel {
  readonly topic: string;
  readonly joinRef: string | null;
  readonly config: JoinConfig;
  claims: Claims;
  /** Subscribers with equal keys share one RLS check per change. */
  claimsKey: string;
}

/** What fan-out needs from the socket a channel lives on. */
export interface Subscriber {
  readonly id: string;
  readonly vsn: Vsn;
  /** Sends an encoded frame, subject to chaos; a Buffer goes out as text unless `binary`. */
  sendEncoded(data: string | Buffer, binary: boolean): void;
}

export interface Member {
  readonly subscriber: Subscriber;
  readonly channel: Channel;
}

/** Claims that RLS policies can read, as one string: everything but the token's own timing. */
export function claimsKey(claims: Claims): string {
  const policyClaims = Object.entries(claims).filter(([name]) => name !== 'exp' && name !== 'iat');
  return JSON.stringify(policyClaims.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Parses `payload.config` of a phx_join; throws BindingError with the reason to reply. */
export function parseJoinConfig(
  payload: Record<string, unknown>,
  isPublished: (schema: string, table: string) => boolean,
): JoinConfig {
  const config = objectOr(payload['config'], 'config');
  const broadcast = objectOr(config['broadcast'], 'config.broadcast');
  const presence = objectOr(config['presence'], 'config.presence');
  const { bindings, filters } = parseBindings(config['postgres_changes'], isPublished);
  const key = presence['key'];
  if (key !== undefined && typeof key !== 'string')
    throw new BindingError('config.presence.key must be a string');
  return {
    bindings,
    filters,
    broadcastSelf: broadcast['self'] === true,
    broadcastAck: broadcast['ack'] === true,
    presenceKey: key || crypto.randomUUID(),
    // realtime-js sets enabled when the channel has presence listeners; clients that predate the
    // flag sent only a key.
    presenceEnabled: presence['enabled'] === true || (presence['enabled'] === undefined && !!key),
  };
}

function objectOr(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new BindingError(`${name} must be an object`);
  return value as Record<string, unknown>;
}
