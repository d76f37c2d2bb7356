// The chaos soak, 30 seconds of it (`npm run soak` runs 3 minutes): every fault kind while
// changes stream in, then every tab of every profile is compared with the database.
import { expect, test } from '@playwright/test';
import { runSoak, soakPassed } from '../bench/soak/run-soak.js';
import { FAULT_KINDS } from '../bench/soak/schedule.js';
import { soakReport } from '../bench/soak/report.js';

const SEED = Number(process.env['SOAK_SEED'] ?? 20261125);

test('30 s of chaos: no tab loses, doubles or reorders a change, and every change made lands', async () => {
  test.setTimeout(300_000);
  const summary = await runSoak({ seed: SEED, seconds: 30, changes: 300, log: (line) => console.log(line) });
  console.log(soakReport(summary, new Date().toISOString()));

  for (const kind of FAULT_KINDS) expect(summary.faultsByKind[kind], kind).toBeGreaterThan(0);
  const { verdict } = summary;
  expect(verdict.tabs.filter((t) => t.viewEqual !== null)).toHaveLength(12);
  expect({
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    outOfOrder: verdict.outOfOrder,
    altered: verdict.altered,
    leaked: verdict.leaked,
    viewsEqual: verdict.viewsEqual,
  }).toEqual({ lost: 0, duplicated: 0, outOfOrder: 0, altered: 0, leaked: 0, viewsEqual: true });
  // Every open tab got changes (so the zeros above are about something).
  for (const tab of verdict.tabs.filter((t) => t.viewEqual !== null && !t.name.startsWith('B/'))) {
    expect(tab.received, tab.name).toBeGreaterThan(0);
  }
  expect(
    summary.writer.inserts + summary.writer.updates + summary.writer.deletes + summary.writer.outbox,
  ).toBe(300);
  expect(summary.writerModelHolds).toBe(true);
  expect(summary.writer.outboxUnanswered).toBe(0);
  expect(summary.outboxLanded).toBe(summary.writer.outbox);
  expect(Number.isFinite(summary.finalConvergeMs)).toBe(true);
  expect(soakPassed(summary)).toBe(true);
});
