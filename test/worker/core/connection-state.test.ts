import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from '../../../worker/core/backoff.js';
import { isAttempting, reduce, type ConnectionEvent } from '../../../worker/core/connection-state.js';
import { INITIAL_STATE, type ConnectionState } from '../../../contract/connection-state.js';

const error = (at: number) => ({ code: 'socket_closed', message: 'closed', at });
const run = (events: ConnectionEvent[], from: ConnectionState = INITIAL_STATE): ConnectionState =>
  events.reduce((state, event) => reduce(state, event), from);

describe('connection state', () => {
  it('goes disconnected → connecting → connected', () => {
    const connecting = run([{ type: 'start' }]);
    expect(connecting).toMatchObject({ kind: 'connecting', attempt: 0 });
    expect(isAttempting(connecting)).toBe(true);
    expect(run([{ type: 'start' }, { type: 'opened', at: 5 }])).toMatchObject({
      kind: 'connected',
      since: 5,
      attempt: 0,
    });
  });

  it('schedules a jittered retry when a connected socket drops, with attempt and last error', () => {
    const state = run([
      { type: 'start' },
      { type: 'opened', at: 0 },
      { type: 'failed', error: error(100), random: 0.5 },
    ]);
    expect(state).toEqual({
      kind: 'reconnecting',
      attempt: 1,
      nextRetryAt: 100 + 500,
      lastError: error(100),
    });
    expect(isAttempting(state)).toBe(false);
  });

  it('starts the attempt when the retry is due, not before', () => {
    const waiting = run([
      { type: 'start' },
      { type: 'opened', at: 0 },
      { type: 'failed', error: error(0), random: 0.5 },
    ]);
    expect(reduce(waiting, { type: 'retry-due', at: 499 })).toBe(waiting);
    const trying = reduce(waiting, { type: 'retry-due', at: 500 });
    expect(trying).toMatchObject({ kind: 'reconnecting', attempt: 1, nextRetryAt: null });
    expect(isAttempting(trying)).toBe(true);
  });

  it('grows the delay ceiling with each failed attempt', () => {
    let state = run([{ type: 'start' }, { type: 'opened', at: 0 }]);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      state = reduce(state, { type: 'failed', error: error(0), random: 0.999 });
      delays.push(state.nextRetryAt!);
      state = reduce(state, { type: 'retry-due', at: state.nextRetryAt! });
    }
    expect(delays).toEqual([999, 1998, 3996, 7992, 15984, 29970]);
  });

  it('gives up into error after maxAttempts failures, and a manual retry starts over', () => {
    let state = run([{ type: 'start' }]);
    for (let i = 0; i < DEFAULT_BACKOFF.maxAttempts + 1; i++) {
      state = reduce(state, { type: 'failed', error: error(i), random: 0 });
      if (state.kind === 'reconnecting') state = reduce(state, { type: 'retry-due', at: state.nextRetryAt! });
    }
    expect(state).toMatchObject({
      kind: 'error',
      attempt: DEFAULT_BACKOFF.maxAttempts + 1,
      nextRetryAt: null,
    });
    expect(state.lastError).toEqual(error(DEFAULT_BACKOFF.maxAttempts));
    expect(reduce(state, { type: 'retry-due', at: 1e12 })).toBe(state);
    const retried = reduce(state, { type: 'retry-now' });
    expect(retried).toMatchObject({ kind: 'reconnecting', attempt: 0, nextRetryAt: null });
    expect(isAttempting(retried)).toBe(true);
  });

  it('retries at once on retry-now while waiting for a backoff timer', () => {
    const waiting = run([
      { type: 'start' },
      { type: 'opened', at: 0 },
      { type: 'failed', error: error(0), random: 0.9 },
    ]);
    expect(reduce(waiting, { type: 'retry-now' })).toMatchObject({ kind: 'reconnecting', nextRetryAt: null });
  });

  it('goes offline when the browser says so, ignores failures there, and reconnects on online', () => {
    const offline = run([{ type: 'start' }, { type: 'opened', at: 0 }, { type: 'offline' }]);
    expect(offline.kind).toBe('offline');
    expect(reduce(offline, { type: 'failed', error: error(1), random: 0 })).toMatchObject({
      kind: 'offline',
      lastError: error(1),
    });
    expect(reduce(offline, { type: 'online' })).toMatchObject({
      kind: 'reconnecting',
      attempt: 0,
      nextRetryAt: null,
    });
  });

  it('stops from any state into disconnected', () => {
    for (const events of [
      [],
      [{ type: 'start' }],
      [{ type: 'start' }, { type: 'opened', at: 0 }],
    ] as ConnectionEvent[][]) {
      expect(reduce(run(events), { type: 'stop' })).toEqual(INITIAL_STATE);
    }
  });

  it('ignores opened when no attempt is running (a late answer from a superseded socket)', () => {
    const waiting = run([
      { type: 'start' },
      { type: 'opened', at: 0 },
      { type: 'failed', error: error(0), random: 0.5 },
    ]);
    expect(reduce(waiting, { type: 'opened', at: 10 })).toBe(waiting);
  });
});
