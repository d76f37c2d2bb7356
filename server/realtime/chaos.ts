// Faults the tests switch on: each ends by itself when its time is up. Pure: time comes in.

export interface ChaosState {
  blackholeUntil: number;
  refuseUntil: number;
  /** REST and auth requests have their connection cut until then (a dead network for writes). */
  refuseHttpUntil: number;
  latencyMs: number;
  latencyUntil: number;
}

export const NO_CHAOS: ChaosState = {
  blackholeUntil: 0,
  refuseUntil: 0,
  refuseHttpUntil: 0,
  latencyMs: 0,
  latencyUntil: 0,
};

export type ChaosRequest =
  | { action: 'drop'; user_id?: string }
  | { action: 'blackhole'; ms: number }
  /** scope: 'realtime' (default) refuses new sockets; 'rest' cuts REST and auth requests; 'all' both. */
  | { action: 'refuse'; ms: number; scope?: 'realtime' | 'rest' | 'all' }
  | { action: 'latency'; ms: number; duration_ms: number }
  | { action: 'reset' };

const MAX_MS = 10 * 60 * 1000;

function duration(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MS) {
    throw new Error(`${name} must be an integer number of milliseconds from 0 to ${MAX_MS}`);
  }
  return value;
}

export function parseChaos(body: unknown): ChaosRequest {
  if (typeof body !== 'object' || body === null) throw new Error('body must be a JSON object with an action');
  const input = body as Record<string, unknown>;
  switch (input['action']) {
    case 'drop': {
      const userId = input['user_id'];
      if (userId !== undefined && typeof userId !== 'string') throw new Error('user_id must be a string');
      return userId === undefined ? { action: 'drop' } : { action: 'drop', user_id: userId };
    }
    case 'blackhole':
      return { action: 'blackhole', ms: duration(input['ms'], 'ms') };
    case 'refuse': {
      const scope = input['scope'] ?? 'realtime';
      if (scope !== 'realtime' && scope !== 'rest' && scope !== 'all')
        throw new Error('scope must be realtime, rest or all');
      return { action: 'refuse', ms: duration(input['ms'], 'ms'), scope };
    }
    case 'latency':
      return {
        action: 'latency',
        ms: duration(input['ms'], 'ms'),
        duration_ms: duration(input['duration_ms'], 'duration_ms'),
      };
    case 'reset':
      return { action: 'reset' };
    default:
      throw new Error('action must be drop, blackhole, refuse, latency or reset');
  }
}

export function applyChaos(state: ChaosState, request: ChaosRequest, now: number): ChaosState {
  switch (request.action) {
    case 'blackhole':
      return { ...state, blackholeUntil: now + request.ms };
    case 'refuse': {
      const scope = request.scope ?? 'realtime';
      return {
        ...state,
        refuseUntil: scope === 'rest' ? state.refuseUntil : now + request.ms,
        refuseHttpUntil: scope === 'realtime' ? state.refuseHttpUntil : now + request.ms,
      };
    }
    case 'latency':
      return { ...state, latencyMs: request.ms, latencyUntil: now + request.duration_ms };
    case 'reset':
      return NO_CHAOS;
    case 'drop':
      return state;
  }
}

export const blackholed = (state: ChaosState, now: number): boolean => now < state.blackholeUntil;
export const refusing = (state: ChaosState, now: number): boolean => now < state.refuseUntil;
export const refusingHttp = (state: ChaosState, now: number): boolean => now < state.refuseHttpUntil;
export const latency = (state: ChaosState, now: number): number =>
  now < state.latencyUntil ? state.latencyMs : 0;
