// The chaos room's boundary: validates POST /admin/v1/chaos bodies into a ChaosRequest; the message
// says what to fix.
import type { ChaosRequest } from '../admin/protocol.js';

export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest';
}

// Ten minutes: longer than any test needs, short enough that a forgotten fault ends.
const MAX_MS = 10 * 60 * 1000;
const FIELDS: Record<ChaosRequest['action'], readonly string[]> = {
  drop: ['user_id'],
  blackhole: ['ms'],
  refuse: ['ms', 'scope'],
  latency: ['ms', 'duration_ms'],
  reset: [],
};

function duration(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MS) {
    throw new InvalidRequest(`${name} must be an integer number of milliseconds from 0 to ${MAX_MS}`);
  }
  return value;
}

const isAction = (value: unknown): value is ChaosRequest['action'] =>
  typeof value === 'string' && Object.hasOwn(FIELDS, value);

export function parseChaosRequest(body: unknown): ChaosRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new InvalidRequest('body must be a JSON object with an action');
  const input = body as Record<string, unknown>;
  const action = input['action'];
  if (!isAction(action))
    throw new InvalidRequest('action must be one of drop, blackhole, refuse, latency, reset');
  const unknown = Object.keys(input).filter((k) => k !== 'action' && !FIELDS[action].includes(k));
  if (unknown.length > 0) throw new InvalidRequest(`unknown field(s) for ${action}: ${unknown.join(', ')}`);
  switch (action) {
    case 'drop': {
      const userId = input['user_id'];
      if (userId === undefined) return { action };
      if (typeof userId !== 'string' || userId === '')
        throw new InvalidRequest('user_id must be a non-empty string');
      return { action, user_id: userId };
    }
    case 'blackhole':
      return { action, ms: duration(input['ms'], 'ms') };
    case 'refuse': {
      const scope = input['scope'] ?? 'realtime';
      if (scope !== 'realtime' && scope !== 'rest' && scope !== 'all')
        throw new InvalidRequest('scope must be realtime, rest or all');
      return { action, ms: duration(input['ms'], 'ms'), scope };
    }
    case 'latency':
      return {
        action,
        ms: duration(input['ms'], 'ms'),
        duration_ms: duration(input['duration_ms'], 'duration_ms'),
      };
    case 'reset':
      return { action };
  }
}
