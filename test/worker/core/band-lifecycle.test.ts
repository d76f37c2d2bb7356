import { describe, expect, it } from 'vitest';
import {
  JOINING,
  reduceBand,
  statusOf,
  type BandLifecycleEvent,
  type BandPhase,
} from '../../../worker/core/band-lifecycle.js';

const run = (events: BandLifecycleEvent['type'][], from: BandPhase = JOINING): BandPhase =>
  events.reduce((phase, type) => reduceBand(phase, { type }), from);

const CATCHING_UP: BandPhase = { kind: 'catching-up' };
const LIVE: BandPhase = { kind: 'live' };

describe('band lifecycle', () => {
  it('goes joining → catching-up → live as a catch-up pass begins and reaches the head', () => {
    expect(run(['catch-up-started'])).toEqual(CATCHING_UP);
    expect(run(['catch-up-started', 'caught-up'])).toEqual(LIVE);
  });

  it('goes back to joining when the socket of a live band goes down, and is live again once caught up', () => {
    expect(reduceBand(LIVE, { type: 'socket-lost' })).toEqual(JOINING);
    expect(run(['socket-lost', 'catch-up-started', 'caught-up'], LIVE)).toEqual(LIVE);
  });

  it('keeps catching up when the socket goes down meanwhile: the pass reads over REST', () => {
    expect(reduceBand(CATCHING_UP, { type: 'socket-lost' })).toBe(CATCHING_UP);
    expect(run(['socket-lost', 'caught-up'], CATCHING_UP)).toEqual(LIVE);
  });

  it('is live when a pass that began while live ends after the socket went down', () => {
    expect(run(['catch-up-started', 'socket-lost', 'caught-up'], LIVE)).toEqual(LIVE);
  });

  it('stays live while a hole is caught up', () => {
    expect(reduceBand(LIVE, { type: 'catch-up-started' })).toBe(LIVE);
    expect(reduceBand(LIVE, { type: 'caught-up' })).toBe(LIVE);
  });

  it('leaves the phase alone, the same object, for events that do not apply to it', () => {
    expect(reduceBand(JOINING, { type: 'socket-lost' })).toBe(JOINING);
    expect(reduceBand(CATCHING_UP, { type: 'catch-up-started' })).toBe(CATCHING_UP);
  });

  it('names each phase for diagnostics', () => {
    expect([JOINING, CATCHING_UP, LIVE].map(statusOf)).toEqual(['joining', 'catching-up', 'live']);
  });
});
