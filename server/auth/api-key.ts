// The gateway check Supabase's API gateway (Kong) makes before any service sees a request:
// an `apikey` (header, or query parameter for WebSockets) signed with the project's secret.
import type { IncomingMessage } from 'node:http';
import type { JwtKeys } from './jwt.js';
import { HttpError } from '../http/http-error.js';

export async function requireApiKey(
  req: IncomingMessage,
  url: URL,
  keys: JwtKeys,
): Promise<'anon' | 'service_role'> {
  const header = req.headers['apikey'];
  const key = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey') ?? undefined;
  if (!key)
    throw new HttpError(401, { message: 'No API key found in request', hint: 'Send the anon key as apikey' });
  const result = await keys.verify(key);
  if (!result.ok || result.claims.role === 'authenticated') {
    throw new HttpError(401, {
      message: 'Invalid API key',
      hint: 'Double check your Supabase `anon` or `service_role` API key.',
    });
  }
  return result.claims.role;
}
