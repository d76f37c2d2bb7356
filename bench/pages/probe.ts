// What the harness reads from every benchmark tab, whatever the mode: `window.benchProbe`.
import { HOP_MEASURE } from '../../contract/names.js';
import type { BandEvent } from '../../contract/schema.js';

export type SongsSource = 'rest' | 'watch';

export interface Probe {
  /** [seq, band_events.at in epoch ms, Date.now() on receipt] per delivered event. */
  received: [number, number, number][];
  /** performance.now() (ms since navigation start) when the band was live in this tab. */
  liveAt: number | null;
  /** performance.now() when the page's own code started (its imports loaded and evaluated). */
  startedAt: number | null;
  /** performance.now() when the band's songs were in the page's DOM (bench/pages/song-list.ts). */
  songsAt: number | null;
  /** How many songs that list holds in the DOM. */
  songsShown: number | null;
  /** Where the page had them from: a REST read, or the broker's watch answer. */
  songsSource: SongsSource | null;
  error: string | null;
  role: string;
}

declare global {
  interface Window {
    benchProbe: Probe;
  }
}

export function installProbe(role: string): Probe {
  const probe: Probe = {
    received: [],
    liveAt: null,
    startedAt: performance.now(),
    songsAt: null,
    songsShown: null,
    songsSource: null,
    error: null,
    role,
  };
  window.benchProbe = probe;
  return probe;
}

export function record(probe: Probe, event: BandEvent): void {
  probe.received.push([event.seq, Date.parse(event.at), Date.now()]);
}

/** Epoch ms, comparable across the profile's contexts (Date.now() is coarser and can step). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** A follower's hop from the leader tab (HOP_MEASURE): `arrivedAt` (epoch ms) to now. */
export function recordHop(arrivedAt: number): void {
  performance.measure(HOP_MEASURE, { start: arrivedAt - performance.timeOrigin });
}

export function fail(probe: Probe, error: unknown): void {
  probe.error = error instanceof Error ? error.message : String(error);
}
