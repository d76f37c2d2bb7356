// Bodies of the admin API (/admin/v1/*), which hosted Supabase does not have. Types only.

/** POST /admin/v1/chaos. Every timed fault ends by itself; `reset` ends them all at once. */
export type ChaosRequest =
  /** Terminate every realtime socket, or only the sockets acting for one user. */
  | { action: 'drop'; user_id?: string }
  /** Sockets stay open but nothing is read, answered or delivered (a half-open link). */
  | { action: 'blackhole'; ms: number }
  /** scope: 'realtime' (default) refuses new sockets; 'rest' cuts REST and auth requests; 'all' both. */
  | { action: 'refuse'; ms: number; scope?: 'realtime' | 'rest' | 'all' }
  /** Every frame waits `ms` in each direction, for `duration_ms`. */
  | { action: 'latency'; ms: number; duration_ms: number }
  | { action: 'reset' };

/** Faults in force, as epoch milliseconds they end at (0: off). */
export interface ChaosState {
  blackholeUntil: number;
  refuseUntil: number;
  /** REST and auth requests have their connection cut until then (a dead network for writes). */
  refuseHttpUntil: number;
  latencyMs: number;
  latencyUntil: number;
}

export interface ChaosResponse {
  ok: true;
  chaos: ChaosState;
  /** Sockets a drop terminated. */
  dropped: number;
}

export interface BindingMetrics {
  id: number;
  event: string;
  schema: string;
  table: string;
  filter?: string;
}

export interface SocketMetrics {
  id: string;
  user_id: string | null;
  role: string;
  vsn: '1.0.0' | '2.0.0';
  connected_at: string;
  messages_in: number;
  messages_out: number;
  channels: { topic: string; bindings: BindingMetrics[] }[];
}

/** GET /admin/v1/metrics */
export interface MetricsResponse {
  sockets: SocketMetrics[];
  totals: {
    sockets: number;
    channels: number;
    bindings: number;
    messages_in: number;
    messages_out: number;
    /** Changes captured and drained since start. */
    changes: number;
    /** Change frames sent (one per subscriber a change reached). */
    deliveries: number;
    /** Joins refused for their access token since start, and of those for an expired one. */
    joins_refused: number;
    joins_refused_expired_token: number;
    /** Socket upgrades and channel joins asked for since start, answered or refused. */
    connects: number;
    joins: number;
  };
  /** Per-subscriber RLS checks: one per distinct claims and change. */
  rls_checks: number;
  /** Database transactions those checks took (batched across claims' changes). */
  rls_queries: number;
  chaos: ChaosState;
  /** The backend process: CPU time used so far and resident memory. */
  process: { cpu_user_ms: number; cpu_system_ms: number; rss_bytes: number };
  /** HTTP requests since start: served by REST and auth, and cut off by chaos. */
  http: HttpCounts;
  auth: AuthCounts;
}

/** What the realtime server reports; the backend adds its HTTP and auth counts. */
export type RealtimeMetrics = Omit<MetricsResponse, 'http' | 'auth'>;

export interface HttpCounts {
  rest: number;
  auth: number;
  refused: number;
  /**
   * REST requests served by path under /rest/v1 (`/songs`, `/rpc/band_snapshot`): which reads a
   * client made, e.g. none of a band's rows when a tab opens it from the broker's cache.
   */
  rest_paths: Record<string, number>;
}

/** What the auth routes counted since start. */
export interface AuthCounts {
  /** Per user id: refresh_token grants answered with a new session (failed refreshes not counted). */
  token_refreshes: Record<string, number>;
}

/** Every admin error: 400 invalid body, 401 no key, 403 not service_role, 404 no route. */
export interface AdminError {
  error: string;
}
