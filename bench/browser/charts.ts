// SVG charts of the run (latency, heap and sockets against N), drawn by Vega-Lite in Node: no
// browser, no canvas, no hand-made SVG.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Row } from './summary.js';

type Point = { mode: string; tabs: number; figure: string; median: number; min: number; max: number };

function lineChart(title: string, yTitle: string, points: Point[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: points },
    facet: { column: { field: 'figure', title: null } },
    spec: {
      width: 260,
      height: 200,
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'tabs', type: 'quantitative', title: 'tabs (N)' },
            y: { field: 'median', type: 'quantitative', title: yTitle },
            color: { field: 'mode', type: 'nominal' },
          },
        },
        {
          // Spread over repetitions and rounds: min–max.
          mark: { type: 'rule', opacity: 0.5 },
          encoding: {
            x: { field: 'tabs', type: 'quantitative' },
            y: { field: 'min', type: 'quantitative' },
            y2: { field: 'max' },
            color: { field: 'mode', type: 'nominal' },
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

const point = (row: Row, figure: string, s: { median: number; min: number; max: number }): Point => ({
  mode: row.mode,
  tabs: row.tabs,
  figure,
  median: s.median,
  min: s.min,
  max: s.max,
});

async function render(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}

/** name → SVG text */
export async function charts(rows: Row[]): Promise<Record<string, string>> {
  return {
    latency: await render(
      lineChart(
        'Commit → tab latency',
        'ms',
        rows.flatMap((r) => [point(r, 'p50', r.p50_ms), point(r, 'p99', r.p99_ms)]),
      ),
    ),
    heap: await render(
      lineChart(
        'JS heap, all tabs + worker',
        'MB',
        rows.map((r) => point(r, 'heap after GC', r.heap_mb)),
      ),
    ),
    sockets: await render(
      lineChart(
        'Server load per profile',
        'count',
        rows.flatMap((r) => [
          point(r, 'sockets', r.sockets),
          point(r, 'band subscriptions', r.band_bindings),
        ]),
      ),
    ),
  };
}
