// The shape of `bench/results/<date>-browser-<mode>.json`.
import type { ServerLoad } from '../../test/support/admin.js';
import type { BundleSize } from './build.js';
import type { SongsSource } from '../pages/probe.js';
import type { Mode } from './modes.js';
import type { RateResult } from './writer.js';

/** Commit → receive per tab and event (the percentiles and samples), and the hop. */
export interface LatencyRound extends Percentiles {
  writes: number;
  /**
   * The broker's own hop (contract/names.ts HOP_MEASURE): frame in the broker (shared) or the
   * leader tab → handlers run in a tab, every tab's samples; null for per-tab mode, where each
   * tab's own socket brings its frames.
   */
  hop: Percentiles | null;
}

/** A figure's percentiles over its samples, ms. */
export interface Percentiles {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  samples_ms: number[];
}

export interface RampStep extends RateResult {
  delivered_all: boolean;
  p99_ms: number;
  passed: boolean;
}

export interface Delivery {
  committed: number;
  /** Tabs whose received seq list equals the committed list exactly. */
  tabs_exactly_once: number;
  tabs: number;
  lost: number;
  duplicated: number;
  exactly_once: boolean;
}

export interface CellResult {
  mode: Mode;
  tabs: number;
  repeat: number;
  /** After every tab is live: the reader's sockets, channels and band bindings on the server. */
  server: ServerLoad;
  /** Navigation → live per tab, in opening order (index 1 is the second tab). */
  live_ms: number[];
  /** The page's own code starting (its bundle loaded and evaluated) → live, per tab. */
  script_live_ms: number[];
  /** Navigation → the band's songs in the page's DOM, per tab, in opening order. */
  songs_ms: number[];
  /** Songs each tab listed (the cell's band holds `band_songs`), and where it had them from. */
  songs_shown: number[];
  songs_source: (SongsSource | null)[];
  band_songs: number;
  heap: { tabs_bytes: number[]; worker_bytes: number | null; total_bytes: number };
  latency_rounds: LatencyRound[];
  /** Main-thread task time per delivered event per tab (all tasks, timers and polling included). */
  main_thread_us_per_event: number;
  ramp: RampStep[];
  /** Highest achieved write rate of a passing ramp step. */
  sustained_per_s: number;
  /** Why the next step failed: 'backend write rate', 'delivery', 'latency', or 'not reached'. */
  above_sustained: string;
  /** Drop of every socket of the user, writes meanwhile, until every tab has every seq. */
  recovery: { writes: number; ms: number } | null;
  /** Every phase above: each tab's seqs equal the committed log. */
  delivery: Delivery;
  /** The SharedWorker or the leader tab killed, writes meanwhile: time until every other tab has them, and their delivery. */
  owner_loss: { writes: number; ms: number; delivery: Delivery } | null;
}

/** One profile of N tabs kept open over a few lifetimes of a short-lived token (token-refreshes.ts). */
export interface TokenRefreshCell {
  mode: Mode;
  tabs: number;
  ttl_seconds: number;
  /** Refreshes the backend answered for the profile's user while its tabs were opening, one by one. */
  refreshes_while_opening: number;
  /** Token lifetimes that passed from the last tab open to the second count. */
  lifetimes: number;
  /** Refreshes answered in that time. */
  refreshes: number;
  per_lifetime: number;
}

export interface Environment {
  cpu: string;
  cores: number;
  memory_gb: number;
  chromium: string;
  node: string;
  platform: string;
  /** A blank tab's JS heap in this browser: the floor every tab pays before any code of ours. */
  blank_tab_heap_bytes: number;
}

export interface ModeResults {
  mode: Mode;
  date: string;
  profile: string;
  environment: Environment;
  settings: Record<string, unknown>;
  bundle: BundleSize;
  cells: CellResult[];
  /** Empty when the run measured none. */
  token_refreshes: TokenRefreshCell[];
}
