// Tab calls are untrusted input (any shape, any order): parse once here into typed values.
import type {
  BrokerConfig,
  BrokerError,
  ConflictChoice,
  Credentials,
  Result,
  SessionInfo,
  SessionScope,
  SignUpRequest,
} from '../contract/protocol.js';
import type { Write } from '../contract/writes.js';
import type { SongFields } from '../contract/writes.js';
import { SONG_NUMBER_RANGES, SONG_TEXT_LIMITS } from '../contract/song-limits.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAB_ID = /^[\w:-]{1,100}$/;
const MAX_TOKEN_LENGTH = 16 * 1024;

export class InvalidArgument extends Error {}

export function parseTabId(value: unknown): string {
  if (typeof value !== 'string' || !TAB_ID.test(value))
    throw new InvalidArgument('tabId must be 1-100 word characters');
  return value;
}

export function parseUuid(value: unknown, name: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new InvalidArgument(`${name} must be a uuid`);
  return value.toLowerCase();
}

export function parseSession(value: unknown): SessionInfo | null {
  if (value === null) return null;
  if (typeof value !== 'object' || value === undefined)
    throw new InvalidArgument('session must be an object or null');
  const { userId, accessToken } = value as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken.length === 0 || accessToken.length > MAX_TOKEN_LENGTH) {
    throw new InvalidArgument('session.accessToken must be a non-empty string');
  }
  return { userId: parseUuid(userId, 'session.userId'), accessToken };
}

const TAB_SCOPE = /^tab:[0-9a-f-]{36}$/i;
/** GoTrue's limits: an address is at most 254 characters; bcrypt reads 72 bytes of a password. */
const MAX_EMAIL_LENGTH = 254;
const MAX_PASSWORD_LENGTH = 72;
const MAX_NAME_LENGTH = 100;

export function parseScope(value: unknown): SessionScope {
  if (value === 'profile') return value;
  if (typeof value === 'string' && TAB_SCOPE.test(value)) return value.toLowerCase() as SessionScope;
  throw new InvalidArgument("scope must be 'profile' or 'tab:<uuid>'");
}

export function parseCredentials(value: unknown): Credentials {
  if (typeof value !== 'object' || value === null) throw new InvalidArgument('credentials must be an object');
  const { email, password } = value as Record<string, unknown>;
  if (typeof email !== 'string' || email.length === 0 || email.length > MAX_EMAIL_LENGTH)
    throw new InvalidArgument(`email must be 1-${MAX_EMAIL_LENGTH} characters`);
  if (typeof password !== 'string' || password.length === 0 || password.length > MAX_PASSWORD_LENGTH)
    throw new InvalidArgument(`password must be 1-${MAX_PASSWORD_LENGTH} characters`);
  return { email, password };
}

export function parseSignUp(value: unknown): SignUpRequest {
  const credentials = parseCredentials(value);
  const { name } = value as Record<string, unknown>;
  if (name === undefined || name === '') return credentials;
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)
    throw new InvalidArgument(`name must be a string of at most ${MAX_NAME_LENGTH} characters`);
  return { ...credentials, name };
}

/** A string of at most `max` characters (a band's description: the table's own check). */
export function parseText(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.length > max)
    throw new InvalidArgument(`${name} must be a string of at most ${max} characters`);
  return value;
}

export function parseUrl(value: unknown): string {
  if (typeof value !== 'string' || !URL.canParse(value))
    throw new InvalidArgument('supabaseUrl must be a URL');
  const parsed = new URL(value);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new InvalidArgument('supabaseUrl must be http(s)');
  return parsed.origin + parsed.pathname.replace(/\/$/, '');
}

function optionalInt(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgument(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function parseBrokerConfig(value: unknown): BrokerConfig {
  if (typeof value !== 'object' || value === null) throw new InvalidArgument('config must be an object');
  const input = value as Record<string, unknown>;
  const config: BrokerConfig = {
    supabaseUrl: parseUrl(input['supabaseUrl']),
    anonKey: parseNonEmpty(input['anonKey'], 'anonKey'),
  };
  const heartbeat = optionalInt(input['heartbeatIntervalMs'], 'heartbeatIntervalMs', 100, 120_000);
  const grace = optionalInt(input['graceMs'], 'graceMs', 0, 600_000);
  const attempts = optionalInt(input['maxAttempts'], 'maxAttempts', 1, 100);
  const backoff = optionalInt(input['backoffBaseMs'], 'backoffBaseMs', 10, 30_000);
  if (heartbeat !== undefined) config.heartbeatIntervalMs = heartbeat;
  if (grace !== undefined) config.graceMs = grace;
  if (attempts !== undefined) config.maxAttempts = attempts;
  if (backoff !== undefined) config.backoffBaseMs = backoff;
  const batch = optionalInt(input['outboxBatchSize'], 'outboxBatchSize', 1, 1000);
  if (batch !== undefined) config.outboxBatchSize = batch;
  const joins = optionalInt(input['joinsPerSecond'], 'joinsPerSecond', 1, 500);
  if (joins !== undefined) config.joinsPerSecond = joins;
  const hopStamps = input['hopStamps'];
  if (hopStamps !== undefined && typeof hopStamps !== 'boolean')
    throw new InvalidArgument('hopStamps must be a boolean');
  if (hopStamps) config.hopStamps = true;
  return config;
}

/** A MessagePort a tab transferred (a structured clone can carry nothing else that posts). */
export function parsePort(value: unknown): MessagePort {
  if (typeof MessagePort === 'undefined' || !(value instanceof MessagePort))
    throw new InvalidArgument('port must be a MessagePort');
  return value;
}

export function parseNonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH) {
    throw new InvalidArgument(`${name} must be a non-empty string`);
  }
  return value;
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: BrokerError): Result<never> => ({ ok: false, error });

/** Runs a call; bad arguments and failures come back as error values, never as throws. */
export async function guarded<T>(work: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return ok(await work());
  } catch (error) {
    if (error instanceof InvalidArgument) return fail({ code: 'invalid_argument', message: error.message });
    if (error instanceof BrokerFailure) return fail({ code: error.code, message: error.message });
    return fail({ code: 'internal', message: error instanceof Error ? error.message : String(error) });
  }
}

export class BrokerFailure extends Error {
  constructor(
    readonly code: BrokerError['code'],
    message: string,
  ) {
    super(message);
  }
}

const TEXT_FIELDS = SONG_TEXT_LIMITS;
const INT_FIELDS = SONG_NUMBER_RANGES;

function songFields(value: unknown): SongFields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgument('fields must be an object');
  const fields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (name in TEXT_FIELDS) {
      const max = TEXT_FIELDS[name as keyof typeof TEXT_FIELDS];
      const nullable = name === 'key';
      if (!(typeof field === 'string' && field.length <= max) && !(nullable && field === null)) {
        throw new InvalidArgument(`${name} must be text of at most ${max} characters`);
      }
      // The schema checks btrim(title) too: a blank title queued here would only fail on the server.
      if (name === 'title' && (field as string).trim() === '')
        throw new InvalidArgument('title must not be blank');
    } else if (name in INT_FIELDS) {
      const [min, max] = INT_FIELDS[name as keyof typeof INT_FIELDS];
      if (
        field !== null &&
        !(Number.isInteger(field) && (field as number) >= min && (field as number) <= max)
      ) {
        throw new InvalidArgument(`${name} must be a whole number from ${min} to ${max}, or null`);
      }
    } else if (name === 'deleted_at') {
      if (field !== null)
        throw new InvalidArgument('deleted_at may only be set to null (restore); delete with song.delete');
    } else {
      throw new InvalidArgument(`songs have no field "${name}"`);
    }
    fields[name] = field;
  }
  return fields;
}

/** The same limits as the schema's checks, so a bad write is refused here and never queued. */
function bandWrite(input: Record<string, unknown>): Write {
  if (input['kind'] === 'band.join') {
    const code = input['code'];
    if (typeof code !== 'string' || !/^[A-Za-z0-9]{4,32}$/.test(code.trim()))
      throw new InvalidArgument('code must be an invite code (letters and digits)');
    return { kind: 'band.join', code: code.trim().toUpperCase() };
  }
  const name = input['name'];
  const description = input['description'] ?? '';
  if (typeof name !== 'string' || name.trim().length < 1 || name.trim().length > 100)
    throw new InvalidArgument('name must be 1 to 100 characters');
  if (typeof description !== 'string' || description.length > 2000)
    throw new InvalidArgument('description must be at most 2000 characters');
  return {
    kind: 'band.create',
    bandId: parseUuid(input['bandId'], 'bandId'),
    name: name.trim(),
    description,
  };
}

export function parseWrite(value: unknown): Write {
  if (typeof value !== 'object' || value === null) throw new InvalidArgument('write must be an object');
  const input = value as Record<string, unknown>;
  if (input['kind'] === 'band.create' || input['kind'] === 'band.join') return bandWrite(input);
  const songId = parseUuid(input['songId'], 'songId');
  const bandId = parseUuid(input['bandId'], 'bandId');
  const baseVersion = (): number => {
    const v = input['baseVersion'];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new InvalidArgument('baseVersion must be a positive integer');
    return v;
  };
  switch (input['kind']) {
    case 'song.insert': {
      const fields = songFields(input['fields']);
      if (typeof fields.title !== 'string' || fields.title.trim() === '')
        throw new InvalidArgument('a new song needs a title');
      return { kind: 'song.insert', songId, bandId, fields: { ...fields, title: fields.title } };
    }
    case 'song.update':
      return {
        kind: 'song.update',
        songId,
        bandId,
        baseVersion: baseVersion(),
        fields: songFields(input['fields']),
      };
    case 'song.delete':
    case 'song.restore':
      return { kind: input['kind'], songId, bandId, baseVersion: baseVersion() };
    default:
      throw new InvalidArgument(
        'write.kind must be song.insert, song.update, song.delete, song.restore, band.create or band.join',
      );
  }
}

/** A position in a band's log: a non-negative integer. */
export function parseSeq(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgument('afterSeq must be a non-negative integer');
  return value;
}

export function parseConflictChoice(value: unknown): ConflictChoice {
  if (value === 'refresh' || value === 'keep-mine' || value === 'dismiss') return value;
  throw new InvalidArgument('choice must be refresh, keep-mine or dismiss');
}
