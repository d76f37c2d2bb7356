// Faults the tests switch on, as one value; each ends by itself when its time is up. Pure: the
// current time comes in, and nothing here touches a socket or a request.
import type { ChaosRequest, ChaosState } from '../admin/protocol.js';

export type { ChaosRequest, ChaosState };

export const NO_CHAOS: ChaosState = {
  blackholeUntil: 0,
  refuseUntil: 0,
  refuseHttpUntil: 0,
  latencyMs: 0,
  latencyUntil: 0,
};

/** The state after a request; `drop` changes nothing here (the realtime server drops the sockets). */
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

/** The faults in force, as metrics and the admin API report them: those whose time is up read as off. */
export function inForce(state: ChaosState, now: number): ChaosState {
  return {
    blackholeUntil: state.blackholeUntil > now ? state.blackholeUntil : 0,
    refuseUntil: state.refuseUntil > now ? state.refuseUntil : 0,
    refuseHttpUntil: state.refuseHttpUntil > now ? state.refuseHttpUntil : 0,
    latencyMs: state.latencyUntil > now ? state.latencyMs : 0,
    latencyUntil: state.latencyUntil > now ? state.latencyUntil : 0,
  };
}
