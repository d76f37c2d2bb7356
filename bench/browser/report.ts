// The markdown report: one table of every (N, mode), bundle sizes, and the ratios at the largest N.
import type { ModeResults } from './results.js';
import { kb, type Row } from './summary.js';
import type { Spread } from './stats.js';

const round = (value: number): string =>
  Number.isFinite(value) ? String(value >= 100 ? Math.round(value) : Math.round(value * 10) / 10) : '–';

/** "median (min–max)", or the value alone when there is one sample or no spread. */
export function show(s: Spread): string {
  if (s.n === 0) return '–';
  if (s.n === 1 || s.min === s.max) return round(s.median);
  return `${round(s.median)} (${round(s.min)}–${round(s.max)})`;
}

const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–';

function ratios(rows: Row[]): string {
  const n = Math.max(...rows.map((r) => r.tabs));
  const at = rows.filter((r) => r.tabs === n);
  const shared = at.find((r) => r.mode === 'shared');
  if (!shared) return '';
  const figures: [string, (r: Row) => number][] = [
    ['server sockets', (r) => r.sockets.median],
    ['commit → tab p50', (r) => r.p50_ms.median],
    ['commit → tab p99', (r) => r.p99_ms.median],
    ['second tab → live', (r) => r.second_tab_live_ms.median],
    ['second tab, page code → live', (r) => r.second_tab_script_live_ms.median],
    ["second tab → the band's songs on screen", (r) => r.second_tab_songs_ms.median],
    ['sustained write rate', (r) => r.sustained_per_s.median],
    ['JS heap, tabs + worker', (r) => r.heap_mb.median],
    ['JS heap above blank tabs', (r) => r.heap_above_blank_mb.median],
    ['main thread per event per tab', (r) => r.main_thread_us_per_event.median],
    ['recovery after a drop', (r) => r.recovery_ms.median],
    ['worker / leader killed → caught up', (r) => r.owner_loss_ms.median],
    ['tab bundle (gzip)', (r) => r.tab_js_gzip_kb],
    ['token refreshes per token lifetime', (r) => r.token_refreshes_per_lifetime.median],
  ];
  const others = at.filter((r) => r.mode !== 'shared');
  return [
    `Ratios at ${n} tabs (shared ÷ baseline, medians of this run; below 1× is less, e.g. fewer ms):`,
    '',
    `| figure | ${others.map((r) => `shared ÷ ${r.mode}`).join(' | ')} |`,
    `|---|${others.map(() => '---').join('|')}|`,
    ...figures.map(
      ([name, get]) => `| ${name} | ${others.map((r) => ratio(get(shared), get(r))).join(' | ')} |`,
    ),
  ].join('\n');
}

export function markdownReport(results: readonly ModeResults[], rows: Row[]): string {
  const first = results[0]!;
  const env = first.environment;
  const settings = first.settings;
  return [
    `# Browser benchmark (${first.profile}), ${first.date}`,
    '',
    `${env.cores} × ${env.cpu}, ${env.memory_gb} GB, Chromium ${env.chromium}, Node ${env.node}, ${env.platform}. ` +
      `Modes interleaved per N in one browser against one backend (own process), a band of ${String(settings['bandSongs'])} songs per cell, one writer. ` +
      `Cells repeated ${String(settings['repeats'])}×, ${String(settings['latencyRounds'])} latency rounds of ` +
      `${String(settings['latencyWrites'])} writes each per cell; spread is min–max over them. ` +
      `A blank tab's heap here: ${Math.round(env.blank_tab_heap_bytes / 1e4) / 100} MB.`,
    '',
    '| N | mode | sockets | channels (band bindings) | p50 ms | p99 ms | max ms | 2nd tab → live ms (page code → live) | later tabs → live ms | 2nd tab → songs on screen ms (from) | sustained writes/s (above it) | heap MB (above blank tabs) | main thread µs/event/tab | recovery after drop ms | worker / leader killed → caught up ms | token refreshes per lifetime (while opening) | exactly once |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows
      .map((r) =>
        [
          r.tabs,
          r.mode,
          show(r.sockets),
          `${show(r.channels)} (${show(r.band_bindings)})`,
          show(r.p50_ms),
          show(r.p99_ms),
          show(r.max_ms),
          `${show(r.second_tab_live_ms)} (${show(r.second_tab_script_live_ms)})`,
          show(r.later_tabs_live_ms),
          `${show(r.second_tab_songs_ms)} (${r.songs_source || '–'})`,
          `${show(r.sustained_per_s)} (${r.above_sustained})`,
          `${show(r.heap_mb)} (${show(r.heap_above_blank_mb)})`,
          show(r.main_thread_us_per_event),
          show(r.recovery_ms),
          r.owner_loss_ok === false
            ? `${show(r.owner_loss_ms)}, **lost ${r.owner_loss_lost}, dup ${r.owner_loss_duplicated}**`
            : show(r.owner_loss_ms),
          `${show(r.token_refreshes_per_lifetime)} (${show(r.token_refreshes_while_opening)})`,
          r.exactly_once ? 'yes' : '**NO**',
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
    '',
    'The broker’s own hop: the frame reaching the broker (shared: the SharedWorker; leader-tab: the leader tab) → the tab’s handlers having run, per latency round (per-tab mode has none: each tab’s socket is its own).',
    '',
    '| N | mode | hop p50 ms | hop p99 ms | samples |',
    '|---|---|---|---|---|',
    ...rows
      .filter((r) => r.hop_samples > 0)
      .map(
        (r) => `| ${r.tabs} | ${r.mode} | ${show(r.hop_p50_ms)} | ${show(r.hop_p99_ms)} | ${r.hop_samples} |`,
      ),
    '',
    '| page | tab JS, gzip KB | worker JS, gzip KB | Backline client alone (no auth, no UI), gzip KB |',
    '|---|---|---|---|',
    ...results.map((r) => {
      const row = rows.find((x) => x.mode === r.mode)!;
      const client = r.bundle.client_js_gzip_bytes;
      return `| ${r.mode} | ${row.tab_js_gzip_kb} | ${row.worker_js_gzip_kb || '–'} | ${client ? kb(client) : '–'} |`;
    }),
    ...results
      .filter((r) => r.bundle.app_js_gzip_bytes > 0)
      .map(
        (r) =>
          `| band app, signed-in band page | ${kb(r.bundle.app_js_gzip_bytes)} | ${kb(r.bundle.worker_js_gzip_bytes)} | – |`,
      ),
    '',
    ratios(rows),
    '',
  ].join('\n');
}
