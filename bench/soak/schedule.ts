// The soak's fault plan: a pure function of the seed and the run's length, so a seed reproduces
// the faults (their timing against the writes still varies with the machine).
import { seededRandom } from './random.js';

export const FAULT_KINDS = [
  'drop',
  'blackhole',
  'refuse-realtime',
  'refuse-rest',
  'refuse-all',
  'latency',
  'kill-worker',
  'reopen-tab',
  'offline-tab',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  kind: FaultKind;
  /** ms after the soak starts. */
  at: number;
  /** How long the fault holds (0 for one-shot faults: drop, kill, reopen). */
  ms: number;
  /** Which profile or tab it hits, as an index the fleet maps onto its own lists. */
  target: number;
  /** Added latency for `latency`. */
  latencyMs: number;
}

const ONE_SHOT: ReadonlySet<FaultKind> = new Set(['drop', 'kill-worker', 'reopen-tab']);

export interface PlanOptions {
  seed: number;
  /** Faults stop this long before the end, so the run ends converged. */
  durationMs: number;
  /** Quiet time after a fault lifts before the next one starts. */
  gapMs: [number, number];
  holdMs: [number, number];
}

/**
 * Faults one after another until the end: every kind in a seeded order, then again in another,
 * so even a short run injects each kind once.
 */
export function planFaults({ seed, durationMs, gapMs, holdMs }: PlanOptions): Fault[] {
  const random = seededRandom(seed);
  const faults: Fault[] = [];
  let at = random.int(gapMs[0], gapMs[1]);
  let cycle: FaultKind[] = [];
  while (at < durationMs) {
    if (cycle.length === 0) cycle = random.shuffle(FAULT_KINDS);
    const kind = cycle.shift()!;
    const ms = ONE_SHOT.has(kind) ? 0 : random.int(holdMs[0], holdMs[1]);
    if (at + ms > durationMs) break;
    faults.push({ kind, at, ms, target: random.int(0, 1_000_000), latencyMs: random.int(50, 400) });
    at += ms + random.int(gapMs[0], gapMs[1]);
  }
  return faults;
}
