// Options of the local backend, with defaults that match `supabase start` where one exists.

export interface RealtimeQuotas {
  /** Concurrent sockets per project (Supabase free plan: 200). */
  maxConnections: number;
  /** Channels joined on one socket (free plan: 100). */
  maxChannelsPerConnection: number;
  /** Channel joins per second on one socket (free plan: 100). */
  maxJoinsPerSecond: number;
  /** Messages a socket may send per second (free plan: 100). */
  maxMessagesPerSecond: number;
  /** Largest broadcast payload in bytes (free plan: 256 KB). */
  maxBroadcastBytes: number;
  /** Largest postgres_changes payload in bytes (1 MB). */
  maxChangeBytes: number;
  /**
   * A socket that sends nothing (not even a heartbeat) for this long is closed: Phoenix's
   * WebSocket transport default, 60 s. A frozen tab's realtime-js sends nothing.
   */
  idleTimeoutMs: number;
}

export interface BackendOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  jwtSecret: string;
  /** Lifetime of access tokens issued by /auth/v1, in seconds. */
  accessTokenTtlSeconds: number;
  /** Within this window a rotated refresh token may be used again (tabs racing to refresh). */
  refreshReuseSeconds: number;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir: string | undefined;
  /** Largest HTTP request body in bytes. */
  maxBodyBytes: number;
  realtime: RealtimeQuotas;
  /** Write one line per request to stderr (never tokens or bodies). */
  logRequests: boolean;
}

/** The Supabase CLI's development secret: its well-known demo keys verify here too. */
export const DEV_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export const FREE_PLAN_QUOTAS: RealtimeQuotas = {
  maxConnections: 200,
  maxChannelsPerConnection: 100,
  maxJoinsPerSecond: 100,
  maxMessagesPerSecond: 100,
  maxBroadcastBytes: 256 * 1024,
  maxChangeBytes: 1024 * 1024,
  idleTimeoutMs: 60_000,
};

export function defaultOptions(env: NodeJS.ProcessEnv = process.env): BackendOptions {
  return {
    host: env['HOST'] ?? '127.0.0.1',
    port: env['PORT'] === undefined ? 54321 : parsePort(env['PORT']),
    jwtSecret: env['BACKLINE_JWT_SECRET'] ?? DEV_JWT_SECRET,
    accessTokenTtlSeconds: positiveInt(env['BACKLINE_TOKEN_TTL'], 3600, 'BACKLINE_TOKEN_TTL'),
    refreshReuseSeconds: 10,
    dataDir: env['BACKLINE_DATA_DIR'] || undefined,
    maxBodyBytes: 1024 * 1024,
    realtime: { ...FREE_PLAN_QUOTAS },
    logRequests: false,
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be 0-65535, got "${value}"`);
  return port;
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}
