// `POST /rest/v1/rpc/<name>`: a function of the exposed schema, found by its argument names as
// PostgREST resolves overloads, run as the caller's role so RLS and SECURITY rules apply.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Claims } from '../auth/jwt.js';
import { parseJson, readBody, sendEmpty, sendJson } from '../http/io.js';
import { EXPOSED_SCHEMA, type Catalog, type FunctionInfo } from './catalog.js';
import { restError } from './errors.js';
import { parseReadQuery, type Preferences } from './query.js';
import { invalidJson, notOneRow, respondRows, type Result, type Shape } from './responses.js';
import { rpcSql } from './sql.js';
import type { Database } from '../db/database.js';

/** What a function call needs of the REST context. */
export interface RpcContext {
  db: Database;
  catalog: Catalog;
  maxBodyBytes: number;
}

export async function callFunction(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  url: URL,
  claims: Claims,
  prefer: Preferences,
  shape: Shape,
  ctx: RpcContext,
): Promise<void> {
  if (req.method !== 'POST')
    throw restError(405, 'PGRST101', 'Only POST is supported for functions by the local backend');
  const body = parseJson(await readBody(req, ctx.maxBodyBytes), invalidJson) ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw restError(400, 'PGRST102', 'Function arguments must be a JSON object');
  }
  const args = body as Record<string, unknown>;
  const fn = resolveFunction(ctx.catalog, name, Object.keys(args));
  const query = parseReadQuery(url.searchParams);
  const sql = rpcSql(fn, args, query, shape.stripNulls);
  const result = await ctx.db.asUser(claims, async (tx) => {
    const rows = await tx.query<{ n?: number; body: string }>(sql.text, sql.params);
    return rows.rows[0];
  });
  if (fn.returnKind === 'void') return sendEmpty(res, 204);
  if (fn.returnKind === 'scalar' || result?.n === undefined)
    return sendJson(res, 200, result?.body ?? 'null');
  const rows: Result = { rows: result.n, body: result.body };
  if (fn.returnsSet) {
    if (shape.single && rows.rows !== 1) throw notOneRow(rows.rows);
    const headers = prefer.count ? { 'Content-Range': `*/${rows.rows}` } : {};
    return respondRows(res, 200, rows, shape, headers);
  }
  // A function returning one row answers with that object (null when it returned no row).
  const [first] = JSON.parse(rows.body) as unknown[];
  sendJson(res, 200, first ?? null);
}

function resolveFunction(catalog: Catalog, name: string, argNames: string[]): FunctionInfo {
  const candidates = catalog.functions.get(name) ?? [];
  const match = candidates.find(
    (fn) =>
      argNames.every((arg) => fn.args.some((a) => a.name === arg)) &&
      fn.args.every((a) => a.hasDefault || argNames.includes(a.name)),
  );
  if (!match) {
    throw restError(
      404,
      'PGRST202',
      `Could not find the function ${EXPOSED_SCHEMA}.${name}(${argNames.join(', ')}) in the schema cache`,
      null,
      candidates.length > 0
        ? `Perhaps you meant to call ${candidates.map((c) => `${name}(${c.args.map((a) => a.name).join(', ')})`).join(' or ')}`
        : null,
    );
  }
  return match;
}
