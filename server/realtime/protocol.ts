// Phoenix channel frames as Supabase Realtime speaks them, and what travels inside them. Types only.

export type Vsn = '1.0.0' | '2.0.0';

/** A text frame, either direction: `[join_ref, ref, topic, event, payload]` in vsn 2.0.0. */
export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

/** What a broadcast carries: JSON, or raw bytes (vsn 2.0.0 binary frames, encoding 0). */
export type BroadcastBody = { kind: 'json'; value: unknown } | { kind: 'binary'; bytes: Buffer };

/** A broadcast push from a client, whichever frame it came in. */
export interface BroadcastPush {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  body: BroadcastBody;
}

/** A decoded client frame: a broadcast gets its own shape because it may carry bytes. */
export type Incoming = { kind: 'frame'; frame: Frame } | { kind: 'broadcast'; push: BroadcastPush };

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';

export interface PostgresBinding {
  /** Derived from the binding itself, so identical subscriptions share ids and encoded frames. */
  id: number;
  event: '*' | ChangeType;
  schema: string;
  table: string;
  filter: string | undefined;
}

export type FilterOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';

export type ChangeFilter =
  { column: string; op: FilterOp; value: string } | { column: string; op: 'in'; values: Set<string> };

/** The `config` of a phx_join, validated. */
export interface JoinConfig {
  bindings: PostgresBinding[];
  /** Parallel to `bindings`. */
  filters: (ChangeFilter | undefined)[];
  broadcastSelf: boolean;
  broadcastAck: boolean;
  /** The key this channel tracks under (the client's, or one made up for it). */
  presenceKey: string;
  /** Receives presence_state and presence_diff. Tracking works either way, as on Supabase. */
  presenceEnabled: boolean;
}

/** One captured row change, as drained from the queue. */
export interface ChangeRecord {
  schema: string;
  table: string;
  type: ChangeType;
  commitTimestamp: string;
  record: Record<string, unknown> | null;
  oldRecord: Record<string, unknown> | null;
}

/** Presence entries by key, as the client's presence_state and presence_diff expect. */
export type PresenceEntries = Record<string, { metas: Record<string, unknown>[] }>;
