// `/rest/v1`: the PostgREST subset supabase-js emits. Each request runs in one transaction as the
// JWT's role with its claims, so RLS decides what is read and written.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Claims, JwtKeys } from '../auth/jwt.js';
import type { Transaction } from '../db/database.js';
import { HttpError } from '../http/http-error.js';
import { bearerToken, parseJson, readBody, sendEmpty } from '../http/io.js';
import { EXPOSED_SCHEMA, type TableInfo } from './catalog.js';
import { OBJECT_MEDIA, invalidJson, notOneRow, respondRows, type Result, type Shape } from './responses.js';
import { callFunction, type RpcContext } from './rpc.js';
import { fromPgError, isPgError, restError } from './errors.js';
import {
  QueryError,
  parseColumnList,
  parsePrefer,
  parseReadQuery,
  parseSelect,
  type Preferences,
  type ReadQuery,
} from './query.js';
import { UnknownColumnError, countSql, deleteSql, insertSql, selectSql, updateSql, type Sql } from './sql.js';

export interface RestContext extends RpcContext {
  keys: JwtKeys;
}

export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
  ctx: RestContext,
): Promise<void> {
  const claims = await requestClaims(req, url, ctx.keys);
  try {
    checkProfile(req);
    const accept = String(req.headers.accept ?? '');
    const shape: Shape = {
      single: accept.includes(OBJECT_MEDIA),
      stripNulls: accept.includes('nulls=stripped'),
    };
    const prefer = parsePrefer(req.headers.prefer);
    const method = req.method ?? 'GET';
    const rpc = /^\/rpc\/([^/]+)$/.exec(path);
    if (rpc)
      return await callFunction(req, res, decodeURIComponent(rpc[1]!), url, claims, prefer, shape, ctx);

    const name = /^\/([^/]+)$/.exec(path)?.[1];
    if (name === undefined) throw restError(404, 'PGRST125', `Invalid path ${path}`);
    const table = ctx.catalog.tables.get(decodeURIComponent(name));
    if (!table) {
      throw restError(
        404,
        'PGRST205',
        `Could not find the table '${EXPOSED_SCHEMA}.${decodeURIComponent(name)}' in the schema cache`,
      );
    }
    switch (method) {
      case 'GET':
      case 'HEAD':
        return await read(res, table, url, claims, prefer, shape, method === 'HEAD', ctx);
      case 'POST':
        return await write(
          res,
          201,
          claims,
          prefer,
          shape,
          ctx,
          insertPlan(table, url, prefer, await jsonBody(req, ctx), shape),
        );
      case 'PATCH': {
        const values = await jsonBody(req, ctx);
        if (typeof values !== 'object' || values === null || Array.isArray(values)) {
          throw restError(400, 'PGRST102', 'PATCH body must be a JSON object');
        }
        const query = parseWriteFilters(url);
        if (Object.keys(values).length === 0) return sendEmpty(res, 204);
        const sql = updateSql(
          table,
          values as Record<string, unknown>,
          query.filters,
          query.selection,
          shape.stripNulls,
        );
        return await write(res, 200, claims, prefer, shape, ctx, [sql]);
      }
      case 'DELETE': {
        const query = parseWriteFilters(url);
        return await write(res, 200, claims, prefer, shape, ctx, [
          deleteSql(table, query.filters, query.selection, shape.stripNulls),
        ]);
      }
      default:
        throw restError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
    }
  } catch (error) {
    throw asHttpError(error, claims);
  }
}

/** The request's JWT: the Bearer token, or the apikey when there is none (anon). */
async function requestClaims(req: IncomingMessage, url: URL, keys: JwtKeys): Promise<Claims> {
  const header = req.headers['apikey'];
  const token =
    bearerToken(req) ?? (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey');
  if (!token) throw restError(401, 'PGRST302', 'Anonymous access is disabled');
  const verified = await keys.verify(token);
  if (verified.ok) return verified.claims;
  const auth = {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${verified.message}"`,
  };
  if (verified.reason === 'expired') {
    throw new HttpError(401, { code: 'PGRST303', message: 'JWT expired', details: null, hint: null }, auth);
  }
  throw new HttpError(401, { code: 'PGRST301', message: verified.message, details: null, hint: null }, auth);
}

function checkProfile(req: IncomingMessage): void {
  for (const header of ['accept-profile', 'content-profile']) {
    const value = req.headers[header];
    if (value !== undefined && value !== EXPOSED_SCHEMA) {
      throw restError(406, 'PGRST106', `The schema must be one of the following: ${EXPOSED_SCHEMA}`);
    }
  }
}

async function jsonBody(req: IncomingMessage, ctx: RestContext): Promise<unknown> {
  const body = parseJson(await readBody(req, ctx.maxBodyBytes), invalidJson);
  if (body === undefined)
    throw restError(400, 'PGRST102', 'Empty or invalid json', 'The request body is empty');
  return body;
}

function parseWriteFilters(url: URL): ReadQuery {
  const query = parseReadQuery(url.searchParams);
  if (query.limit !== undefined || query.offset !== undefined || query.order.length > 0) {
    throw new QueryError('limit, offset and order are not supported on writes by the local backend');
  }
  return query;
}

async function read(
  res: ServerResponse,
  table: TableInfo,
  url: URL,
  claims: Claims,
  prefer: Preferences,
  shape: Shape,
  head: boolean,
  ctx: RestContext,
): Promise<void> {
  const query = parseReadQuery(url.searchParams);
  const sql = selectSql(table, query, shape.stripNulls);
  const { result, total } = await ctx.db.asUser(claims, async (tx) => {
    const result = await run(tx, sql);
    if (shape.single && result.rows !== 1) throw notOneRow(result.rows);
    const count = prefer.count ? countSql(table, query.filters) : undefined;
    const total = count
      ? (await tx.query<{ total: number }>(count.text, count.params)).rows[0]?.total
      : undefined;
    return { result, total };
  });
  const offset = query.offset ?? 0;
  const range = result.rows === 0 ? '*' : `${offset}-${offset + result.rows - 1}`;
  const headers = { 'Content-Range': `${range}/${total ?? '*'}` };
  if (head) return sendEmpty(res, 200, headers);
  respondRows(res, 200, result, shape, headers);
}

function insertPlan(table: TableInfo, url: URL, prefer: Preferences, body: unknown, shape: Shape): Sql[] {
  const rows = Array.isArray(body) ? body : [body];
  if (!rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) {
    throw restError(400, 'PGRST102', 'Insert body must be a JSON object or an array of objects');
  }
  const objects = rows as Record<string, unknown>[];
  const onConflictParam = url.searchParams.get('on_conflict');
  const onConflict = onConflictParam === null ? undefined : parseColumnList(onConflictParam);
  const selection = parseSelect(url.searchParams.get('select'));
  const columnsParam = url.searchParams.get('columns');
  const plan = (columns: string[], planRows: Record<string, unknown>[]): Sql =>
    insertSql(
      table,
      { columns, rows: planRows, onConflict, resolution: prefer.resolution, selection },
      shape.stripNulls,
    );
  if (objects.length === 0) return [];
  // missing=default: each row inserts only its own keys, so the rest take column defaults.
  if (prefer.missingDefault) return objects.map((row) => plan(Object.keys(row), [row]));
  const columns =
    columnsParam !== null ? parseColumnList(columnsParam) : [...new Set(objects.flatMap(Object.keys))];
  return [plan(columns, objects)];
}

async function write(
  res: ServerResponse,
  status: number,
  claims: Claims,
  prefer: Preferences,
  shape: Shape,
  ctx: RestContext,
  statements: Sql[],
): Promise<void> {
  const result = await ctx.db.asUser(claims, async (tx) => {
    const combined: unknown[] = [];
    for (const sql of statements) combined.push(...(JSON.parse((await run(tx, sql)).body) as unknown[]));
    // Throwing inside the transaction rolls the write back, as PostgREST does.
    if (shape.single && combined.length !== 1) throw notOneRow(combined.length);
    return { rows: combined.length, body: JSON.stringify(combined) };
  });
  const headers = prefer.count ? { 'Content-Range': `*/${result.rows}` } : {};
  if (!prefer.returnRepresentation) return sendEmpty(res, status === 201 ? 201 : 204, headers);
  respondRows(res, status, result, shape, headers);
}

async function run(tx: Transaction, sql: Sql): Promise<Result> {
  const result = await tx.query<{ n: number; body: string }>(sql.text, sql.params);
  const row = result.rows[0];
  return { rows: row?.n ?? 0, body: row?.body ?? '[]' };
}

function asHttpError(error: unknown, claims: Claims): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof UnknownColumnError) return restError(400, '42703', error.message);
  if (error instanceof QueryError) return restError(400, 'PGRST100', error.message, error.details);
  if (isPgError(error)) return fromPgError(error, claims.role);
  return error;
}
