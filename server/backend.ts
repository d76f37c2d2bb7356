// The local backend: one HTTP server on 127.0.0.1 that speaks Supabase's wire protocols
// (/auth/v1, /rest/v1) on embedded Postgres. `startBackend` is what tests and `npm start` call.
import type { HttpCounts } from './admin/protocol.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireApiKey } from './auth/api-key.js';
import { AuthMetrics } from './auth/auth-metrics.js';
import { handleAuth } from './auth/routes.js';
import { JwtKeys } from './auth/jwt.js';
import { UserStore } from './auth/users.js';
import { ChaosControls } from './chaos/chaos-controls.js';
import { defaultOptions, type BackendOptions } from './config.js';
import { Database } from './db/database.js';
import { answerPreflight, applyCors } from './http/cors.js';
import { HttpError } from './http/http-error.js';
import { sendJson } from './http/io.js';
import { Catalog } from './rest/catalog.js';
import { handleRest } from './rest/routes.js';
import { handleAdmin } from './admin/routes.js';
import { RealtimeServer } from './realtime/realtime-server.js';

export interface Backend {
  url: string;
  port: number;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  db: Database;
  realtime: RealtimeServer;
  /** Faults in force, shared by the realtime server, the HTTP routes and the admin API. */
  chaos: ChaosControls;
  keys: JwtKeys;
  users: UserStore;
  options: BackendOptions;
  close(): Promise<void>;
}

export async function startBackend(overrides: Partial<BackendOptions> = {}): Promise<Backend> {
  const options: BackendOptions = { ...defaultOptions({}), ...overrides };
  const keys = new JwtKeys(options.jwtSecret);
  const db = await Database.open(options.dataDir);
  const catalog = await Catalog.load(db.pg);
  const users = new UserStore(db.pg);
  const [anonKey, serviceRoleKey] = await Promise.all([keys.apiKey('anon'), keys.apiKey('service_role')]);
  const chaos = new ChaosControls();
  const realtime = await RealtimeServer.start(db, keys, options.realtime, chaos);

  let issuer = '';
  // No prototype: a path such as /__proto__ is counted like any other.
  const restPaths = Object.create(null) as Record<string, number>;
  const httpCounts: HttpCounts = { rest: 0, auth: 0, refused: 0, rest_paths: restPaths };
  const authMetrics = new AuthMetrics();
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    applyCors(req, res);
    if (req.method === 'OPTIONS') return answerPreflight(res);
    const [, service = '', version = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    if (url.pathname === '/' || url.pathname === '/health') {
      return sendJson(res, 200, { name: 'backline-local-backend', status: 'ok' });
    }
    if (url.pathname === '/metrics' || url.pathname.startsWith('/admin/v1/')) {
      return handleAdmin(req, res, url.pathname, {
        keys,
        chaos,
        realtime,
        http: httpCounts,
        auth: authMetrics,
      });
    }
    if (version !== 'v1' || (service !== 'auth' && service !== 'rest')) {
      throw new HttpError(404, { message: `no route for ${req.method ?? 'GET'} ${url.pathname}` });
    }
    if (chaos.refusingHttp()) {
      // Chaos: the network is down for REST and auth; the client sees a failed fetch.
      httpCounts.refused++;
      req.socket.destroy();
      return;
    }
    // Chaos latency holds REST and auth requests as it holds realtime frames.
    const delay = chaos.latency();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    httpCounts[service]++;
    if (service === 'rest') countRestPath(httpCounts.rest_paths, path);
    await requireApiKey(req, url, keys);
    if (service === 'auth') {
      return handleAuth(req, res, path, url, {
        keys,
        users,
        issuer,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        refreshReuseSeconds: options.refreshReuseSeconds,
        maxBodyBytes: options.maxBodyBytes,
        metrics: authMetrics,
      });
    }
    return handleRest(req, res, path, url, { db, catalog, keys, maxBodyBytes: options.maxBodyBytes });
  };

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    route(req, res)
      .catch((error: unknown) => answerError(res, error))
      .finally(() => {
        if (options.logRequests) {
          // Path only: query strings can carry an apikey.
          const path = (req.url ?? '').split('?')[0];
          console.error(
            `${req.method} ${path} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`,
          );
        }
      });
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/realtime/v1/websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    realtime.handleUpgrade(req, socket, head, url).catch(() => socket.destroy());
  });
  // A client that sends garbage at the HTTP level gets a 400 and the server carries on.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host}:${port}`;
  issuer = url;

  return {
    url,
    port,
    anonKey,
    serviceRoleKey,
    jwtSecret: options.jwtSecret,
    db,
    realtime,
    chaos,
    keys,
    users,
    options,
    async close() {
      await realtime.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}

function answerError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) return sendJson(res, error.status, error.body, error.headers);
  console.error('backline backend: unexpected error', error instanceof Error ? error.stack : error);
  sendJson(res, 500, {
    code: 'BACKLINE500',
    message: 'Internal error in the local backend',
    details: null,
    hint: null,
  });
}

/** Distinct paths counted at most: any client can ask for any path, and each one would be kept. */
const MAX_REST_PATHS = 200;

function countRestPath(paths: Record<string, number>, path: string): void {
  const key = Object.hasOwn(paths, path) || Object.keys(paths).length < MAX_REST_PATHS ? path : '(other)';
  paths[key] = (paths[key] ?? 0) + 1;
}
