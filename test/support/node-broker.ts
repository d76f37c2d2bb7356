// The broker core in Node, as a tab drives it: realtime-js over `ws`, every bus event kept in a
// list, a quick backoff. For tests against the real local backend (test/support/backend.ts).
import WebSocket from 'ws';
import type { WebSocketLikeConstructor } from '@supabase/realtime-js';
import { Broker } from '../../worker/broker.js';
import type { BackoffPolicy } from '../../worker/core/backoff.js';
import { LocalFanout } from '../../worker/fanout.js';
import type { AuthChange, BusEvent } from '../../contract/protocol.js';
import type { BrokerEnvironment } from '../../worker/environment.js';
import type { Backend, Client } from './backend.js';
import { nodeEnvironment } from './node-environment.js';

export interface NodeBroker {
  broker: Broker;
  /** Everything the broker published on the bus, in order. */
  events: BusEvent[];
  /** The seqs of a band's events the broker delivered, in order. */
  seqs: (bandId: string) => number[];
  close: () => void;
}

const QUICK_BACKOFF: BackoffPolicy = { baseMs: 50, factor: 2, capMs: 500, maxAttempts: 50 };

/** A broker nobody has talked to yet; without an outbox unless `environment` brings one. */
export function nodeBroker(
  policy: BackoffPolicy = QUICK_BACKOFF,
  graceMs = 50,
  environment: BrokerEnvironment = nodeEnvironment(),
  authChanged: (change: AuthChange) => void = () => undefined,
): NodeBroker {
  const events: BusEvent[] = [];
  const broker = new Broker({
    mode: 'tab',
    modeReason: 'node test',
    generation: 0,
    environment,
    fanout: new LocalFanout((event) => events.push(event), authChanged),
    graceMs,
    connection: { transport: WebSocket as unknown as WebSocketLikeConstructor, policy },
  });
  return {
    broker,
    events,
    seqs: (bandId) =>
      events.flatMap((e) => (e.type === 'band:event' && e.bandId === bandId ? [e.event.seq] : [])),
    close: () => broker.shutdown(),
  };
}

export interface SignedInOptions {
  tabId?: string;
  heartbeatIntervalMs?: number;
  policy?: BackoffPolicy;
  /** How long a band nobody watches stays subscribed (50 ms by default, so tests see releases). */
  graceMs?: number;
  /** Locks, outbox store (none by default), channels and clock: test/support/node-environment.ts. */
  environment?: BrokerEnvironment;
}

/** A broker configured for `backend`, with one tab signed in as `user` (its client's session). */
export async function signedInBroker(
  backend: Backend,
  user: { client: Client; userId: string },
  { tabId = 'tab-1', heartbeatIntervalMs, policy, graceMs, environment }: SignedInOptions = {},
): Promise<NodeBroker> {
  const node = nodeBroker(policy, graceMs, environment);
  await node.broker.configure({
    supabaseUrl: backend.url,
    anonKey: backend.anonKey,
    ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
  });
  await node.broker.hello(tabId, `lock-${tabId}`);
  const token = (await user.client.auth.getSession()).data.session!.access_token;
  await node.broker.setSession(tabId, { userId: user.userId, accessToken: token });
  return node;
}
