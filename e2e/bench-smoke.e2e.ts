// A smoke run of `npm run bench`'s harness: two tabs, a handful of writes, every mode. Proves
// each mode delivers every event exactly once, shows the band's songs, is counted for its token
// refreshes and its page's scripts, and the results are written whole; measures nothing.
import { expect, test } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBrowserBench } from '../bench/browser/harness.js';
import { MODES } from '../bench/browser/modes.js';
import type { CellResult, ModeResults } from '../bench/browser/results.js';
import { writeResults } from '../bench/browser/write-results.js';

const CELL_FIELDS: (keyof CellResult)[] = [
  'mode',
  'tabs',
  'repeat',
  'server',
  'live_ms',
  'script_live_ms',
  'songs_ms',
  'songs_shown',
  'songs_source',
  'band_songs',
  'heap',
  'latency_rounds',
  'main_thread_us_per_event',
  'ramp',
  'sustained_per_s',
  'above_sustained',
  'recovery',
  'owner_loss',
  'delivery',
];

test('the browser benchmark delivers every event exactly once in every mode and writes its results', async () => {
  // The token-refresh phase adds a backend, a build and two 5-s token lifetimes.
  test.setTimeout(180_000);
  const dir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  try {
    const results = await runBrowserBench({
      profile: 'smoke',
      tabs: [2],
      repeats: 1,
      latencyRounds: 1,
      latencyWrites: 3,
      latencyIntervalMs: 20,
      rampRates: [10],
      rampSeconds: 1,
      chaosWrites: 2,
      ownerLoss: true,
      settleMs: 10_000,
      bandSongs: 5,
      tokenRefresh: { ttlSeconds: 5, lifetimes: 2 },
    });
    const { files } = await writeResults(results, dir);
    expect(files.filter((file) => file.endsWith('.svg'))).toHaveLength(3);
    expect(
      await readFile(
        files.find((file) => file.endsWith('.md'))!,
        'utf8',
      ),
    ).toContain('| 2 | per-tab |');
    const markdown = await readFile(
      files.find((file) => file.endsWith('.md'))!,
      'utf8',
    );
    expect(markdown).toContain('2nd tab → songs on screen ms (from)');
    expect(markdown).toContain('token refreshes per lifetime (while opening)');
    expect(markdown).toContain('| band app, signed-in band page |');

    for (const mode of MODES) {
      const json = files.find((file) => file.endsWith(`-browser-${mode}.json`))!;
      const written = JSON.parse(await readFile(json, 'utf8')) as ModeResults;
      expect(written.mode).toBe(mode);
      expect(Object.keys(written.environment).sort()).toEqual(
        ['blank_tab_heap_bytes', 'chromium', 'cores', 'cpu', 'memory_gb', 'node', 'platform'].sort(),
      );
      expect(written.bundle.tab_js_gzip_bytes).toBeGreaterThan(0);
      // The page's own scripts, as it fetched them: JS files of the build, never the worker's.
      expect(written.bundle.tab_js_files.length).toBeGreaterThan(0);
      for (const file of [...written.bundle.tab_js_files, ...written.bundle.app_js_files]) {
        expect(file).toMatch(/^assets\/.+\.js$/);
        expect(file).not.toMatch(/shared-worker/);
      }
      // The client alone and the band app are measured for shared mode only; the client is a
      // fraction of the tab's JS, and the app loads more than the lab page (its UI).
      if (mode === 'shared') {
        expect(written.bundle.client_js_gzip_bytes).toBeGreaterThan(1000);
        expect(written.bundle.client_js_gzip_bytes).toBeLessThan(written.bundle.tab_js_gzip_bytes);
        expect(written.bundle.app_js_gzip_bytes).toBeGreaterThan(written.bundle.tab_js_gzip_bytes);
      } else {
        expect(written.bundle.client_js_gzip_bytes).toBe(0);
        expect(written.bundle.app_js_gzip_bytes).toBe(0);
      }
      expect(written.environment.blank_tab_heap_bytes).toBeGreaterThan(0);
      const [cell] = written.cells;
      expect(written.cells).toHaveLength(1);
      expect(Object.keys(cell!).sort()).toEqual([...CELL_FIELDS].sort());
      expect(cell!.live_ms).toHaveLength(2);
      expect(cell!.latency_rounds[0]!.samples_ms).toHaveLength(2 * 3);
      // The broker's hop: every tab's handler run per event (the leader tab's own events hop nowhere).
      const hopSamples = { shared: 2 * 3, 'leader-tab': 1 * 3, 'per-tab': undefined }[mode];
      expect(cell!.latency_rounds[0]!.hop?.samples_ms.length).toBe(hopSamples);
      cell!.latency_rounds[0]!.hop?.samples_ms.forEach((ms) => expect(ms).toBeGreaterThan(0));
      expect(cell!.recovery?.ms).toBeGreaterThan(0);
      // Page code starts after navigation does, and its share of the time to live is positive.
      cell!.script_live_ms.forEach((ms) => expect(ms).toBeGreaterThan(0));
      cell!.script_live_ms.forEach((ms, tab) => expect(ms).toBeLessThan(cell!.live_ms[tab]!));
      // Every tab listed the band's songs, all of them, and says where it had them from.
      expect(cell!.band_songs).toBe(5);
      expect(cell!.songs_shown).toEqual([5, 5]);
      cell!.songs_ms.forEach((ms) => expect(ms).toBeGreaterThan(0));
      cell!.songs_source.forEach((source) => expect(['rest', 'watch']).toContain(source));
      if (mode !== 'shared') expect(cell!.songs_source).toEqual(['rest', 'rest']);
      // A profile kept open over two token lifetimes refreshed, or it would be signed out.
      expect(written.token_refreshes).toHaveLength(1);
      const [refresh] = written.token_refreshes;
      expect(refresh).toMatchObject({ mode, tabs: 2, ttl_seconds: 5 });
      expect(refresh!.lifetimes).toBeGreaterThanOrEqual(2);
      expect(refresh!.refreshes_while_opening + refresh!.refreshes).toBeGreaterThanOrEqual(1);
      expect(refresh!.per_lifetime).toBeCloseTo(refresh!.refreshes / refresh!.lifetimes, 1);
      if (mode === 'per-tab') expect(cell!.owner_loss).toBeNull();
      else expect(cell!.owner_loss?.delivery).toMatchObject({ lost: 0, duplicated: 0, exactly_once: true });
      expect(cell!.delivery).toMatchObject({ tabs: 2, tabs_exactly_once: 2, lost: 0, duplicated: 0 });
      expect(cell!.delivery.committed).toBeGreaterThanOrEqual(3 + 2);
    }
    const sockets = Object.fromEntries(results.map((r) => [r.mode, r.cells[0]!.server.sockets]));
    expect(sockets).toEqual({ shared: 1, 'leader-tab': 1, 'per-tab': 2 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
