// `/auth/v1`: the GoTrue subset supabase-js calls (signup, password and refresh grants, user,
// logout), with GoTrue's response and error shapes (API version 2024-01-01).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http/http-error.js';
import { bearerToken, parseJson, readBody, sendEmpty, sendJson } from '../http/io.js';
import type { AuthMetrics } from './auth-metrics.js';
import type { JwtKeys } from './jwt.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { UserRow, UserStore } from './users.js';

export interface AuthContext {
  keys: JwtKeys;
  users: UserStore;
  /** Public base URL of the backend, for the `iss` claim. */
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshReuseSeconds: number;
  maxBodyBytes: number;
  metrics: AuthMetrics;
}

const API_VERSION = { 'X-Supabase-Api-Version': '2024-01-01' };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 6;
const MAX_PASSWORD = 72;

const authError = (
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): HttpError => new HttpError(status, { code, message, ...extra }, API_VERSION);

export async function handleAuth(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  url: URL,
  ctx: AuthContext,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /health':
      return sendJson(
        res,
        200,
        { name: 'GoTrue', description: 'Backline local auth', version: 'backline' },
        API_VERSION,
      );
    case 'GET /settings':
      return sendJson(
        res,
        200,
        {
          external: { email: true },
          disable_signup: false,
          mailer_autoconfirm: true,
          phone_autoconfirm: false,
        },
        API_VERSION,
      );
    case 'POST /signup':
      return sendJson(res, 200, await signUp(await body(req, ctx), ctx), API_VERSION);
    case 'POST /token':
      return sendJson(
        res,
        200,
        await token(url.searchParams.get('grant_type'), await body(req, ctx), ctx),
        API_VERSION,
      );
    case 'GET /user':
      return sendJson(res, 200, userJson((await currentUser(req, ctx)).user), API_VERSION);
    case 'PUT /user':
      return sendJson(res, 200, userJson(await updateUser(req, await body(req, ctx), ctx)), API_VERSION);
    case 'POST /logout':
      await logout(req, url.searchParams.get('scope') ?? 'global', ctx);
      return sendEmpty(res, 204, API_VERSION);
    default:
      throw authError(404, 'not_found', `No auth endpoint ${route}`);
  }
}

async function body(req: IncomingMessage, ctx: AuthContext): Promise<Record<string, unknown>> {
  const parsed = parseJson(await readBody(req, ctx.maxBodyBytes), (message) =>
    authError(400, 'bad_json', `Could not parse request body as JSON: ${message}`),
  );
  if (parsed === undefined) return {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw authError(400, 'bad_json', 'Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function credentials(input: Record<string, unknown>): { email: string; password: string } {
  const { email, password } = input;
  if (typeof email !== 'string' || !EMAIL.test(email.trim())) {
    throw authError(400, 'validation_failed', 'Unable to validate email address: invalid format');
  }
  if (typeof password !== 'string' || password.length === 0) {
    throw authError(400, 'validation_failed', 'Password is required');
  }
  return { email: email.trim().toLowerCase(), password };
}

async function signUp(input: Record<string, unknown>, ctx: AuthContext): Promise<Record<string, unknown>> {
  const { email, password } = credentials(input);
  if (password.length < MIN_PASSWORD) {
    throw authError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD} characters.`, {
      weak_password: { reasons: ['length'] },
    });
  }
  if (password.length > MAX_PASSWORD) {
    throw authError(422, 'validation_failed', `Password cannot be longer than ${MAX_PASSWORD} characters`);
  }
  const metadata = input['data'] ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw authError(400, 'validation_failed', 'data must be a JSON object');
  }
  const user = await ctx.users.create(
    email,
    await hashPassword(password),
    metadata as Record<string, unknown>,
  );
  if (!user) throw authError(422, 'user_already_exists', 'User already registered');
  // Email confirmation is off (as `supabase start` configures it): sign-up signs in.
  return issueSession(user, await ctx.users.startSession(user.id), ctx);
}

async function token(
  grant: string | null,
  input: Record<string, unknown>,
  ctx: AuthContext,
): Promise<Record<string, unknown>> {
  if (grant === 'password') {
    const { email, password } = credentials(input);
    const user = await ctx.users.byEmail(email);
    if (!user || !(await verifyPassword(password, user.encrypted_password))) {
      throw authError(400, 'invalid_credentials', 'Invalid login credentials');
    }
    return issueSession(user, await ctx.users.startSession(user.id), ctx);
  }
  if (grant === 'refresh_token') {
    const refreshToken = input['refresh_token'];
    if (typeof refreshToken !== 'string' || refreshToken.length === 0) {
      throw authError(400, 'validation_failed', 'refresh_token is required');
    }
    const outcome = await ctx.users.rotate(refreshToken, ctx.refreshReuseSeconds);
    if (outcome.kind === 'not_found') {
      throw authError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    }
    if (outcome.kind === 'reused') {
      throw authError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
    }
    const user = await ctx.users.byId(outcome.userId);
    if (!user)
      throw authError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    const session = await issueSession(user, { sessionId: outcome.sessionId, token: outcome.token }, ctx);
    ctx.metrics.tokenRefreshed(user.id);
    return session;
  }
  throw authError(400, 'unsupported_grant_type', 'grant_type must be password or refresh_token');
}

/** The user behind a Bearer access token whose session still exists. */
async function currentUser(
  req: IncomingMessage,
  ctx: AuthContext,
): Promise<{ user: UserRow; sessionId: string }> {
  const jwt = bearerToken(req);
  if (!jwt) throw authError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  const verified = await ctx.keys.verify(jwt);
  if (!verified.ok) {
    if (verified.reason === 'expired') throw authError(403, 'bad_jwt', 'invalid JWT: token is expired');
    throw authError(403, 'bad_jwt', 'invalid JWT: unable to parse or verify signature');
  }
  const { sub, session_id: sessionId } = verified.claims;
  if (verified.claims.role !== 'authenticated' || !sub || typeof sessionId !== 'string') {
    throw authError(403, 'bad_jwt', 'invalid claim: missing sub or session_id claim');
  }
  if (!(await ctx.users.sessionExists(sessionId))) {
    throw authError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
  }
  const user = await ctx.users.byId(sub);
  if (!user) throw authError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  return { user, sessionId };
}

async function updateUser(
  req: IncomingMessage,
  input: Record<string, unknown>,
  ctx: AuthContext,
): Promise<UserRow> {
  const { user } = await currentUser(req, ctx);
  const { data, password } = input;
  if (password !== undefined) {
    if (typeof password !== 'string' || password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
      throw authError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD} characters.`, {
        weak_password: { reasons: ['length'] },
      });
    }
    await ctx.users.updatePassword(user.id, await hashPassword(password));
  }
  if (data !== undefined) {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw authError(400, 'validation_failed', 'data must be a JSON object');
    }
    return (await ctx.users.updateMetadata(user.id, data as Record<string, unknown>)) ?? user;
  }
  return (await ctx.users.byId(user.id)) ?? user;
}

async function logout(req: IncomingMessage, scope: string, ctx: AuthContext): Promise<void> {
  if (scope !== 'global' && scope !== 'local' && scope !== 'others') {
    throw authError(400, 'validation_failed', 'scope must be global, local or others');
  }
  const { user, sessionId } = await currentUser(req, ctx);
  await ctx.users.endSessions(user.id, sessionId, scope);
}

async function issueSession(
  user: UserRow,
  session: { sessionId: string; token: string },
  ctx: AuthContext,
): Promise<Record<string, unknown>> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + ctx.accessTokenTtlSeconds;
  const accessToken = await ctx.keys.sign(
    {
      iss: `${ctx.issuer}/auth/v1`,
      sub: user.id,
      aud: 'authenticated',
      email: user.email,
      phone: '',
      app_metadata: user.raw_app_meta_data,
      user_metadata: user.raw_user_meta_data,
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: now }],
      session_id: session.sessionId,
      is_anonymous: false,
    },
    expiresAt,
  );
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: ctx.accessTokenTtlSeconds,
    expires_at: expiresAt,
    refresh_token: session.token,
    user: userJson(user),
  };
}

function userJson(user: UserRow): Record<string, unknown> {
  return {
    id: user.id,
    aud: user.aud,
    role: user.role,
    email: user.email,
    email_confirmed_at: user.email_confirmed_at?.toISOString() ?? null,
    confirmed_at: user.email_confirmed_at?.toISOString() ?? null,
    phone: '',
    last_sign_in_at: user.last_sign_in_at?.toISOString() ?? null,
    app_metadata: user.raw_app_meta_data,
    user_metadata: user.raw_user_meta_data,
    identities: [],
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
    is_anonymous: user.is_anonymous,
  };
}
