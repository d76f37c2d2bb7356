// `npm run bench`: shared broker vs leader tab vs supabase-js per tab, side by side in one run.
// `npm run bench -- --full` for N up to 50 and three repetitions of every cell; --out DIR;
// `--tabs 20 --modes shared,leader-tab --repeats 3` for part of a run (one figure, quickly).
import { parseArgs } from 'node:util';
import { runBrowserBench, type BenchOptions } from './harness.js';
import { MODES, type Mode } from './modes.js';
import { writeResults } from './write-results.js';

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
    tabs: { type: 'string' },
    modes: { type: 'string' },
    repeats: { type: 'string' },
  },
});

const isMode = (name: string): name is Mode => (MODES as readonly string[]).includes(name);
const modes = values.modes?.split(',').map((name) => {
  if (!isMode(name)) throw new Error(`--modes takes ${MODES.join(', ')}; not ${name}`);
  return name;
});
const repeats = values.repeats === undefined ? undefined : Number(values.repeats);
if (repeats !== undefined && (!Number.isInteger(repeats) || repeats < 1))
  throw new Error('--repeats takes a whole number of at least 1');
const tabs = values.tabs?.split(',').map(Number);
if (tabs?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--tabs takes tab counts: 1,5,20');

const QUICK: BenchOptions = {
  profile: 'quick',
  tabs: [1, 5, 20],
  repeats: 1,
  latencyRounds: 3,
  latencyWrites: 10,
  latencyIntervalMs: 100,
  rampRates: [10, 20, 40, 80],
  rampSeconds: 2,
  chaosWrites: 5,
  ownerLoss: true,
  settleMs: 10_000,
  bandSongs: 100,
  // Shorter than auth-js's 90-s refresh margin, as the issue's own test (bench/README.md says what follows).
  tokenRefresh: { ttlSeconds: 20, lifetimes: 3 },
};

const FULL: BenchOptions = {
  ...QUICK,
  profile: 'full',
  tabs: [1, 5, 20, 50],
  repeats: 3,
  latencyWrites: 20,
  rampRates: [10, 20, 30, 45, 60, 90, 120],
  rampSeconds: 5,
};

const started = Date.now();
const results = await runBrowserBench({
  ...(values.full ? FULL : QUICK),
  ...(tabs ? { tabs } : {}),
  ...(modes ? { modes } : {}),
  ...(repeats ? { repeats } : {}),
  log: (line) => console.log(`${Math.round((Date.now() - started) / 1000)}s ${line}`),
});
const { markdown, files } = await writeResults(results, values.out);
console.log(`\n${markdown}\nWrote ${files.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`);
