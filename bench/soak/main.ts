// `npm run soak`: the chaos soak, 3 minutes and 2,000 changes by default. Options: --seconds,
// --changes, --seed (a seed replays the same fault schedule), --out DIR. Exits 1 unless it passes.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { soakReport } from './report.js';
import { runSoak, soakPassed } from './run-soak.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '180' },
    changes: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    out: { type: 'string', default: 'bench/results' },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const changes = Number(values.changes ?? Math.round((2000 * seconds) / 180));
if (![seconds, seed, changes].every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error('--seconds, --changes and --seed must be positive integers');
}

const started = Date.now();
const summary = await runSoak({
  seed,
  seconds,
  changes,
  log: (line) => console.log(`${Math.round((Date.now() - started) / 1000)}s ${line}`),
});
const date = new Date().toISOString();
const markdown = soakReport(summary, date);
await mkdir(values.out, { recursive: true });
const base = join(values.out, `${date.slice(0, 10)}-soak`);
await writeFile(`${base}.json`, JSON.stringify({ date, ...summary }, null, 2));
await writeFile(`${base}.md`, markdown);
console.log(`\n${markdown}\nWrote ${base}.json and ${base}.md`);
process.exitCode = soakPassed(summary) ? 0 : 1;
