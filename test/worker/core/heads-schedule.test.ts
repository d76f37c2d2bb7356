import { describe, expect, it } from 'vitest';
import {
  HEADS_OFF,
  reduceHeads,
  wakeAt,
  type HeadsEvent,
  type HeadsPolicy,
  type HeadsState,
} from '../../../worker/core/heads-schedule.js';

const policy: HeadsPolicy = { periodMs: 30_000, lateReplyMs: 2500, coalesceMs: 50, retryMs: 5000 };
const run = (events: HeadsEvent[], from: HeadsState = HEADS_OFF): HeadsState =>
  events.reduce((state, event) => reduceHeads(state, event, policy), from);
/** Live since 100: waiting for the period. */
const idle = run([{ type: 'live', at: 100 }]);
/** A check a tab's becoming visible asked for at 5000, in flight since 5050. */
const checking = run(
  [
    { type: 'suspicious', reason: 'visible', at: 5000 },
    { type: 'tick', at: 5050 },
  ],
  idle,
);

describe('heads schedule', () => {
  it('checks nothing while the socket is not live, whatever happens', () => {
    for (const event of [
      { type: 'suspicious', reason: 'visible', at: 1 },
      { type: 'heartbeat-sent', at: 1 },
      { type: 'heartbeat-answered', at: 9000, latencyMs: 9000 },
      { type: 'tick', at: 60_000 },
      { type: 'checked', at: 60_000 },
    ] satisfies HeadsEvent[])
      expect(reduceHeads(HEADS_OFF, event, policy)).toBe(HEADS_OFF);
    expect(wakeAt(HEADS_OFF)).toBeUndefined();
  });

  it('starts the period when the socket goes live, its bands just caught up by their subscribe', () => {
    expect(idle).toEqual({ kind: 'waiting', dueAt: 30_100, reason: 'periodic', stallAt: null });
    expect(wakeAt(idle)).toBe(30_100);
    expect(reduceHeads(idle, { type: 'tick', at: 30_099 }, policy)).toBe(idle);
    expect(run([{ type: 'tick', at: 30_100 }], idle)).toMatchObject({ kind: 'checking', reason: 'periodic' });
  });

  it('checks again one period after the last check ended', () => {
    expect(run([{ type: 'checked', at: 5200 }], checking)).toEqual({
      kind: 'waiting',
      dueAt: 35_200,
      reason: 'periodic',
      stallAt: null,
    });
  });

  it('tries a check that could not read the heads again soon, for the same reason', () => {
    const failed = run([{ type: 'check-failed', at: 5200 }], checking);
    expect(failed).toEqual({ kind: 'waiting', dueAt: 10_200, reason: 'visible', stallAt: null });
    expect(run([{ type: 'tick', at: 10_200 }], failed)).toMatchObject({
      kind: 'checking',
      reason: 'visible',
    });
    // A trigger held during the failed check goes at once, as after a check that succeeded.
    const held = run([{ type: 'suspicious', reason: 'online', at: 5100 }], checking);
    expect(run([{ type: 'check-failed', at: 5200 }], held)).toMatchObject({ dueAt: 5250, reason: 'online' });
  });

  it('gives triggers that come together one check', () => {
    const soon = run(
      [
        { type: 'suspicious', reason: 'visible', at: 5000 },
        { type: 'suspicious', reason: 'online', at: 5010 },
        { type: 'suspicious', reason: 'visible', at: 5040 },
      ],
      idle,
    );
    expect(soon).toEqual({ kind: 'waiting', dueAt: 5050, reason: 'visible', stallAt: null });
    expect(run([{ type: 'tick', at: 5050 }], soon)).toMatchObject({ kind: 'checking', reason: 'visible' });
  });

  it('holds a trigger that comes during a check for one more check right after it', () => {
    const held = run(
      [
        { type: 'suspicious', reason: 'online', at: 5060 },
        { type: 'suspicious', reason: 'visible', at: 5070 },
      ],
      checking,
    );
    expect(held).toMatchObject({ kind: 'checking', again: 'online' });
    expect(run([{ type: 'checked', at: 5200 }], held)).toEqual({
      kind: 'waiting',
      dueAt: 5250,
      reason: 'online',
      stallAt: null,
    });
  });

  it('checks when a heartbeat goes unanswered too long, once per heartbeat', () => {
    const sent = run([{ type: 'heartbeat-sent', at: 10_000 }], idle);
    expect(wakeAt(sent)).toBe(12_500);
    const stalled = run([{ type: 'tick', at: 12_500 }], sent);
    expect(stalled).toEqual({ kind: 'checking', reason: 'stall', again: null, stallAt: null });
    expect(wakeAt(run([{ type: 'checked', at: 12_600 }], stalled))).toBe(42_600);
  });

  it('does not call a heartbeat answered in time a stall', () => {
    const answered = run(
      [
        { type: 'heartbeat-sent', at: 10_000 },
        { type: 'heartbeat-answered', at: 10_020, latencyMs: 20 },
      ],
      idle,
    );
    expect(answered).toEqual(idle);
    expect(run([{ type: 'tick', at: 12_500 }], answered)).toEqual(idle);
  });

  it('checks again when a late reply ends the stall: what was dropped meanwhile shows now', () => {
    const late = run(
      [
        { type: 'heartbeat-sent', at: 10_000 },
        { type: 'tick', at: 12_500 },
        { type: 'checked', at: 12_600 },
        { type: 'heartbeat-answered', at: 14_000, latencyMs: 4000 },
      ],
      idle,
    );
    expect(late).toEqual({ kind: 'waiting', dueAt: 14_050, reason: 'late-reply', stallAt: null });
  });

  it('holds a stall that begins during a check for the check after it', () => {
    const stalled = run(
      [
        { type: 'heartbeat-sent', at: 5100 },
        { type: 'tick', at: 7600 },
      ],
      checking,
    );
    expect(stalled).toMatchObject({ kind: 'checking', again: 'stall', stallAt: null });
  });

  it('stops when the socket goes down, and a check that ends later changes nothing', () => {
    const down = run([{ type: 'down' }], checking);
    expect(down).toBe(HEADS_OFF);
    expect(run([{ type: 'checked', at: 5100 }], down)).toBe(HEADS_OFF);
  });
});
