// The soak's summary as markdown: what was injected, what the tabs went through, and the verdict.
import { soakPassed, type SoakSummary } from './run-soak.js';

const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : '–');

export function soakReport(summary: SoakSummary, date: string): string {
  const { verdict, writer } = summary;
  const notConverged = summary.faults.filter((f) => f.convergedMs === null).length;
  return [
    `# Chaos soak, ${date}`,
    '',
    `Seed ${summary.seed} (\`npm run soak -- --seed ${summary.seed} --seconds ${summary.seconds}\` replays the schedule), ` +
      `${summary.seconds} s of changes and faults, ${summary.tabs} tabs over the run (3 profiles: A ×2, B; one per-tab client), 3 bands.`,
    '',
    `**${soakPassed(summary) ? 'PASS' : 'FAIL'}**: lost ${verdict.lost}, duplicated ${verdict.duplicated}, out of order ${verdict.outOfOrder}, ` +
      `altered ${verdict.altered}, leaked to a non-member ${verdict.leaked}, every open tab's songs equal to the database: ${verdict.viewsEqual ? 'yes' : 'NO'}; ` +
      `${summary.events.toLocaleString('en')} events delivered to tabs.`,
    '',
    '| changes | count |',
    '|---|---|',
    `| asked | ${summary.changesAsked} |`,
    `| inserts, updates, deletes (Node writer) | ${writer.inserts}, ${writer.updates}, ${writer.deletes} |`,
    `| inserts through B's outbox (landed; unanswered calls) | ${writer.outbox} (${summary.outboxLanded}; ${writer.outboxUnanswered}) |`,
    `| requests retried after a fault cut them off | ${writer.retries} |`,
    `| Node writer's songs equal the database's | ${summary.writerModelHolds ? 'yes' : 'NO'} |`,
    '',
    '| fault | injected |',
    '|---|---|',
    ...Object.entries(summary.faultsByKind).map(([kind, n]) => `| ${kind} | ${n} |`),
    '',
    `Reconnects ${summary.reconnects}, catch-ups ${summary.catchUps}. Every tab caught up after a fault in ` +
      `p50 ${ms(summary.convergeMs.p50)}, max ${ms(summary.convergeMs.max)} (${summary.convergeMs.n} of ${summary.faults.length} faults` +
      `${notConverged ? `; ${notConverged} not within 30 s` : ''}); after the last fault: ${ms(summary.finalConvergeMs)}.`,
    '',
    '| tab | received | lost | duplicated | out of order | altered | leaked | view equal |',
    '|---|---|---|---|---|---|---|---|',
    ...verdict.tabs.map(
      (t) =>
        `| ${t.name} | ${t.received} | ${t.lost} | ${t.duplicated} | ${t.outOfOrder} | ${t.altered} | ${t.leaked} | ${t.viewEqual === null ? 'closed' : t.viewEqual ? 'yes' : 'NO'} |`,
    ),
    '',
  ].join('\n');
}
