// The admin API hosted Supabase does not have: metrics (JSON and Prometheus) and chaos controls.
// service_role only, as an apikey header or a Bearer token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JwtKeys } from '../auth/jwt.js';
import { HttpError } from '../http/http-error.js';
import { bearerToken, parseJson, readBody, sendJson } from '../http/io.js';
import { parseChaos } from '../realtime/chaos.js';
import type { RealtimeServer } from '../realtime/realtime-server.js';

export interface AdminContext {
  keys: JwtKeys;
  realtime: RealtimeServer;
}

async function requireServiceRole(req: IncomingMessage, keys: JwtKeys): Promise<void> {
  const header = req.headers['apikey'];
  const token = bearerToken(req) ?? (Array.isArray(header) ? header[0] : header);
  if (!token)
    throw new HttpError(401, { message: 'The admin API needs the service_role key (apikey or Bearer)' });
  const verified = await keys.verify(token);
  if (!verified.ok || verified.claims.role !== 'service_role') {
    throw new HttpError(403, { message: 'The admin API is for the service_role key only' });
  }
}

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
      return sendJson(res, 200, ctx.realtime.metrics());
    case 'GET /metrics':
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(prometheus(ctx.realtime));
      return;
    case 'POST /admin/v1/chaos': {
      const body = parseJson(
        await readBody(req, 64 * 1024),
        (message) => new HttpError(400, { message: `invalid JSON: ${message}` }),
      );
      let request;
      try {
        request = parseChaos(body);
      } catch (error) {
        throw new HttpError(400, {
          message: error instanceof Error ? error.message : 'invalid chaos request',
        });
      }
      ctx.realtime.chaos(request);
      return sendJson(res, 200, { ok: true, chaos: ctx.realtime.metrics().chaos });
    }
    default:
      throw new HttpError(404, { message: `no admin route ${route}` });
  }
}

function prometheus(realtime: RealtimeServer): string {
  const { totals, rls_checks: rlsChecks } = realtime.metrics();
  const lines = [
    ['backline_realtime_sockets', 'gauge', 'Open realtime sockets', totals.sockets],
    ['backline_realtime_channels', 'gauge', 'Joined channels', totals.channels],
    ['backline_realtime_bindings', 'gauge', 'postgres_changes bindings', totals.bindings],
    ['backline_realtime_messages_in', 'counter', 'Frames received from open sockets', totals.messages_in],
    ['backline_realtime_messages_out', 'counter', 'Frames sent to open sockets', totals.messages_out],
    ['backline_realtime_changes_total', 'counter', 'Changes captured', totals.changes],
    ['backline_realtime_rls_checks_total', 'counter', 'Per-subscriber RLS checks', rlsChecks],
  ] as const;
  return lines
    .map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`)
    .join('');
}
