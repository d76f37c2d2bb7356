// Per (mode, N) figures with their spread over repetitions and rounds, from the raw cells: what
// the table, the charts and the ratios quote.
import type { Mode } from './modes.js';
import type { CellResult, ModeResults } from './results.js';
import { spread, type Spread } from './stats.js';

export interface Row {
  mode: Mode;
  tabs: number;
  sockets: Spread;
  channels: Spread;
  band_bindings: Spread;
  p50_ms: Spread;
  p99_ms: Spread;
  max_ms: Spread;
  /** The broker's own hop, per latency round (NaN spreads for per-tab mode). */
  hop_p50_ms: Spread;
  hop_p99_ms: Spread;
  hop_samples: number;
  second_tab_live_ms: Spread;
  later_tabs_live_ms: Spread;
  second_tab_script_live_ms: Spread;
  second_tab_songs_ms: Spread;
  /** Where the tabs had their songs from (rest, watch), every source seen. */
  songs_source: string;
  sustained_per_s: Spread;
  above_sustained: string;
  heap_mb: Spread;
  /** Tabs + worker minus N blank tabs: what the code itself holds. */
  heap_above_blank_mb: Spread;
  main_thread_us_per_event: Spread;
  recovery_ms: Spread;
  owner_loss_ms: Spread;
  /** null when not measured. */
  owner_loss_ok: boolean | null;
  owner_loss_lost: number;
  owner_loss_duplicated: number;
  exactly_once: boolean;
  tab_js_gzip_kb: number;
  worker_js_gzip_kb: number;
  token_refreshes_per_lifetime: Spread;
  token_refreshes_while_opening: Spread;
}

export const kb = (bytes: number): number => Math.round(bytes / 102.4) / 10;

function row(results: ModeResults, tabs: number, cells: CellResult[]): Row {
  const rounds = cells.flatMap((cell) => cell.latency_rounds);
  const refreshes = results.token_refreshes.filter((cell) => cell.tabs === tabs);
  return {
    mode: results.mode,
    tabs,
    sockets: spread(cells.map((c) => c.server.sockets)),
    channels: spread(cells.map((c) => c.server.channels)),
    band_bindings: spread(cells.map((c) => c.server.band_bindings)),
    p50_ms: spread(rounds.map((r) => r.p50_ms)),
    p99_ms: spread(rounds.map((r) => r.p99_ms)),
    max_ms: spread(rounds.map((r) => r.max_ms)),
    hop_p50_ms: spread(rounds.map((r) => r.hop?.p50_ms ?? NaN)),
    hop_p99_ms: spread(rounds.map((r) => r.hop?.p99_ms ?? NaN)),
    hop_samples: rounds.reduce((n, r) => n + (r.hop?.samples_ms.length ?? 0), 0),
    second_tab_live_ms: spread(cells.map((c) => c.live_ms[1] ?? NaN)),
    later_tabs_live_ms: spread(cells.flatMap((c) => c.live_ms.slice(1))),
    second_tab_script_live_ms: spread(cells.map((c) => c.script_live_ms[1] ?? NaN)),
    second_tab_songs_ms: spread(cells.map((c) => c.songs_ms[1] ?? NaN)),
    songs_source: [...new Set(cells.flatMap((c) => c.songs_source))].join(', '),
    sustained_per_s: spread(cells.map((c) => c.sustained_per_s)),
    above_sustained: [...new Set(cells.map((c) => c.above_sustained))].join(', '),
    heap_mb: spread(cells.map((c) => Math.round(c.heap.total_bytes / 1e4) / 100)),
    heap_above_blank_mb: spread(
      cells.map((c) => {
        const floor = results.environment.blank_tab_heap_bytes * c.tabs;
        return Math.round((c.heap.total_bytes - floor) / 1e4) / 100;
      }),
    ),
    main_thread_us_per_event: spread(cells.map((c) => c.main_thread_us_per_event)),
    recovery_ms: spread(cells.map((c) => c.recovery?.ms ?? NaN)),
    owner_loss_ms: spread(cells.map((c) => c.owner_loss?.ms ?? NaN)),
    owner_loss_ok: cells.some((c) => c.owner_loss)
      ? cells.every((c) => c.owner_loss?.delivery.exactly_once !== false)
      : null,
    owner_loss_lost: cells.reduce((n, c) => n + (c.owner_loss?.delivery.lost ?? 0), 0),
    owner_loss_duplicated: cells.reduce((n, c) => n + (c.owner_loss?.delivery.duplicated ?? 0), 0),
    exactly_once: cells.every((c) => c.delivery.exactly_once),
    tab_js_gzip_kb: kb(results.bundle.tab_js_gzip_bytes),
    worker_js_gzip_kb: kb(results.bundle.worker_js_gzip_bytes),
    token_refreshes_per_lifetime: spread(refreshes.map((c) => c.per_lifetime)),
    token_refreshes_while_opening: spread(refreshes.map((c) => c.refreshes_while_opening)),
  };
}

export function summarize(all: readonly ModeResults[]): Row[] {
  const tabs = [...new Set(all.flatMap((r) => r.cells.map((c) => c.tabs)))].sort((a, b) => a - b);
  return tabs.flatMap((n) =>
    all.map((results) =>
      row(
        results,
        n,
        results.cells.filter((cell) => cell.tabs === n),
      ),
    ),
  );
}
