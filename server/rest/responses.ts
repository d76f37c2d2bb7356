// How REST answers rows, as PostgREST does: a JSON array, or one object when the client asked
// for exactly one (Accept: application/vnd.pgrst.object+json), and the error when it is not one.
import type { ServerResponse } from 'node:http';
import type { HttpError } from '../http/http-error.js';
import { sendJson } from '../http/io.js';
import { restError } from './errors.js';

export const OBJECT_MEDIA = 'application/vnd.pgrst.object+json';

export interface Result {
  rows: number;
  /** JSON array text. */
  body: string;
}

export interface Shape {
  single: boolean;
  stripNulls: boolean;
}

export const invalidJson = (message: string): HttpError =>
  restError(400, 'PGRST102', 'Empty or invalid json', message);

export function respondRows(
  res: ServerResponse,
  status: number,
  result: Result,
  shape: Shape,
  headers: Record<string, string>,
): void {
  if (!shape.single) return sendJson(res, status, result.body, headers);
  const [row] = JSON.parse(result.body) as unknown[];
  sendJson(res, status, row ?? null, { ...headers, 'Content-Type': `${OBJECT_MEDIA}; charset=utf-8` });
}

export function notOneRow(rows: number): HttpError {
  return restError(
    406,
    'PGRST116',
    'JSON object requested, multiple (or no) rows returned',
    `The result contains ${rows} rows`,
    null,
  );
}
