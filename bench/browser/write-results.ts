// Writes a run to a results directory: <date>-browser[-full]-<mode>.json (raw), <date>-browser[-full].md
// (the table) and <date>-browser[-full]-<chart>.svg; a full run keeps its own names so a later quick
// run does not replace it. Returns the markdown.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { charts } from './charts.js';
import { markdownReport } from './report.js';
import type { ModeResults } from './results.js';
import { summarize } from './summary.js';

export interface WrittenResults {
  markdown: string;
  files: string[];
}

export async function writeResults(results: readonly ModeResults[], dir: string): Promise<WrittenResults> {
  await mkdir(dir, { recursive: true });
  const first = results[0]!;
  const day = `${first.date.slice(0, 10)}-browser${first.profile === 'full' ? '-full' : ''}`;
  const rows = summarize(results);
  const markdown = markdownReport(results, rows);
  const files: [string, string][] = [
    ...results.map((r): [string, string] => [`${day}-${r.mode}.json`, JSON.stringify(r, null, 2) + '\n']),
    [`${day}.md`, markdown],
    ...Object.entries(await charts(rows)).map(([name, svg]): [string, string] => [`${day}-${name}.svg`, svg]),
  ];
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return { markdown, files: files.map(([name]) => join(dir, name)) };
}
