// The soak's checker and fault plan: the verdicts it gives on hand-made logs, and a plan that is a
// function of its seed.
import { describe, expect, it } from 'vitest';
import { check, type LoggedEvent, type TabLog } from '../../bench/soak/checker.js';
import { FAULT_KINDS, planFaults } from '../../bench/soak/schedule.js';

const song = (seq: number, op: string, id: string, bpm: number | null = null): LoggedEvent => ({
  seq,
  table: 'songs',
  op,
  id,
  row: JSON.stringify({ id, bpm }),
});
const LOG = {
  band: [song(1, 'INSERT', 'a'), song(2, 'INSERT', 'b'), song(3, 'UPDATE', 'a', 120), song(4, 'DELETE', 'b')],
};
const tab = (received: LoggedEvent[], liveSeq = 0, open = true): TabLog => ({
  name: 't',
  open,
  bands: { band: { liveSeq, received } },
  foreign: [],
});

describe('soak checker', () => {
  it('passes a tab that holds exactly the log after its live seq', () => {
    expect(check([tab(LOG.band)], LOG).ok).toBe(true);
    expect(check([tab(LOG.band.slice(2), 2)], LOG).ok).toBe(true);
  });

  it('counts a missing event as lost, and the tab view as unequal', () => {
    const verdict = check([tab([LOG.band[0]!, LOG.band[1]!, LOG.band[3]!])], LOG);
    expect(verdict).toMatchObject({ lost: 1, duplicated: 0, outOfOrder: 0, viewsEqual: false, ok: false });
  });

  it('counts repeats, reordering and altered content', () => {
    const [e1, e2, e3, e4] = LOG.band as [LoggedEvent, LoggedEvent, LoggedEvent, LoggedEvent];
    expect(check([tab([e1, e2, e2, e3, e4])], LOG)).toMatchObject({ duplicated: 1, ok: false });
    expect(check([tab([e1, e3, e2, e4])], LOG)).toMatchObject({ outOfOrder: 1, lost: 0, ok: false });
    expect(check([tab([e1, e2, { ...e3, row: '{"id":"a","bpm":99}' }, e4])], LOG)).toMatchObject({
      altered: 1,
      ok: false,
    });
  });

  it('lets a closed tab stop early, but not skip', () => {
    expect(check([tab(LOG.band.slice(0, 2), 0, false)], LOG).ok).toBe(true);
    expect(check([tab([LOG.band[0]!, LOG.band[2]!], 0, false)], LOG)).toMatchObject({ lost: 1, ok: false });
  });

  it('fails any event of a band the tab may not see', () => {
    expect(check([{ ...tab(LOG.band), foreign: [song(9, 'INSERT', 'z')] }], LOG)).toMatchObject({
      leaked: 1,
      ok: false,
    });
  });
});

describe('fault plan', () => {
  const options = {
    seed: 7,
    durationMs: 30_000,
    gapMs: [500, 1500] as [number, number],
    holdMs: [500, 3000] as [number, number],
  };

  it('is the same for the same seed and differs for another', () => {
    expect(planFaults(options)).toEqual(planFaults(options));
    expect(planFaults({ ...options, seed: 8 })).not.toEqual(planFaults(options));
  });

  it('injects every kind in a short run, one at a time, ending before the run does', () => {
    const plan = planFaults(options);
    expect(new Set(plan.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    plan.slice(1).forEach((fault, i) => expect(fault.at).toBeGreaterThan(plan[i]!.at + plan[i]!.ms));
    expect(plan.every((f) => f.at + f.ms <= options.durationMs)).toBe(true);
  });
});
