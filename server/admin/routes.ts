// The admin API hosted Supabase does not have: metrics (JSON and Prometheus) and chaos controls,
// for the service_role key only (apikey header or Bearer token). Bodies: ./protocol.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JwtKeys } from '../auth/jwt.js';
import { HttpError } from '../http/http-error.js';
import { bearerToken, parseJson, readBody, sendJson } from '../http/io.js';
import type { ChaosControls } from '../chaos/chaos-controls.js';
import { InvalidRequest, parseChaosRequest } from '../chaos/chaos-request.js';
import type { RealtimeServer } from '../realtime/realtime-server.js';
import { prometheusText } from './prometheus.js';
import type { AuthMetrics } from '../auth/auth-metrics.js';
import type { AdminError, ChaosResponse, HttpCounts, MetricsResponse } from './protocol.js';

export interface AdminContext {
  keys: JwtKeys;
  chaos: ChaosControls;
  /** Reports its metrics and carries out `drop`. */
  realtime: RealtimeServer;
  http: Readonly<HttpCounts>;
  auth: AuthMetrics;
}

const MAX_BODY = 64 * 1024;

const adminError = (status: number, error: string): HttpError =>
  new HttpError(status, { error } satisfies AdminError);

async function requireServiceRole(req: IncomingMessage, keys: JwtKeys): Promise<void> {
  const header = req.headers['apikey'];
  const token = bearerToken(req) ?? (Array.isArray(header) ? header[0] : header);
  if (!token) throw adminError(401, 'The admin API needs the service_role key (apikey or Bearer)');
  const verified = await keys.verify(token);
  if (!verified.ok) throw adminError(401, `Invalid key: ${verified.message}`);
  if (verified.claims.role !== 'service_role')
    throw adminError(403, 'The admin API is for the service_role key only');
}

const metrics = (ctx: AdminContext): MetricsResponse => ({
  ...ctx.realtime.metrics(),
  http: { ...ctx.http, rest_paths: { ...ctx.http.rest_paths } },
  auth: ctx.auth.snapshot(),
});

export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: AdminContext,
): Promise<void> {
  await requireServiceRole(req, ctx.keys);
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /admin/v1/metrics':
      return sendJson(res, 200, metrics(ctx));
    case 'GET /metrics':
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(prometheusText(metrics(ctx)));
      return;
    case 'POST /admin/v1/chaos': {
      const body = parseJson(await readBody(req, MAX_BODY), (message) =>
        adminError(400, `invalid JSON: ${message}`),
      );
      let request;
      try {
        request = parseChaosRequest(body);
      } catch (error) {
        if (error instanceof InvalidRequest) throw adminError(400, error.message);
        throw error;
      }
      ctx.chaos.apply(request);
      const dropped = request.action === 'drop' ? ctx.realtime.drop(request.user_id) : 0;
      const response: ChaosResponse = { ok: true, chaos: ctx.chaos.snapshot(), dropped };
      return sendJson(res, 200, response);
    }
    default:
      throw adminError(404, `no admin route ${route}`);
  }
}
