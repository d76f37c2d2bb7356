// The soak's checker: every tab's received events against the database's log, the source of
// truth. Pure, so its verdicts are unit-tested apart from the browser run.

/** One band_events row as the checker compares it: its seq, and the change as JSON. */
export interface LoggedEvent {
  seq: number;
  table: string;
  op: string;
  /** The changed row's id (band_events.record_id). */
  id: string;
  /** JSON of the row after the change (before it, for a delete). */
  row: string;
}

export interface TabBandLog {
  /** The band's seq when this tab's watch went live: it owes every event after it. */
  liveSeq: number;
  received: LoggedEvent[];
}

export interface TabLog {
  name: string;
  /** Still open at the end: it must hold everything. A closed tab must hold a gap-free prefix. */
  open: boolean;
  bands: Record<string, TabBandLog>;
  /** Events of bands this tab's user may not see (must stay empty). */
  foreign: LoggedEvent[];
}

export interface TabVerdict {
  name: string;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Received with other content than the database logged under that seq. */
  altered: number;
  leaked: number;
  /** Songs the tab would show (what it had at live, then what it received) equal the database's. */
  viewEqual: boolean | null;
}

export interface Verdict {
  tabs: TabVerdict[];
  lost: number;
  duplicated: number;
  outOfOrder: number;
  altered: number;
  leaked: number;
  viewsEqual: boolean;
  ok: boolean;
}

type Songs = Map<string, string>;

/** Applies song changes to a view of the band: id → row JSON. */
function apply(view: Songs, events: readonly LoggedEvent[]): Songs {
  for (const event of events) {
    if (event.table !== 'songs') continue;
    if (event.op === 'DELETE') view.delete(event.id);
    else view.set(event.id, event.row);
  }
  return view;
}

const sameView = (a: Songs, b: Songs): boolean =>
  a.size === b.size && [...a].every(([id, row]) => b.get(id) === row);

function judge(tab: TabLog, log: Record<string, LoggedEvent[]>): TabVerdict {
  const verdict: TabVerdict = {
    name: tab.name,
    received: 0,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    altered: 0,
    leaked: tab.foreign.length,
    viewEqual: tab.open ? true : null,
  };
  for (const [bandId, { liveSeq, received }] of Object.entries(tab.bands)) {
    const truth = log[bandId] ?? [];
    const bySeq = new Map(truth.map((event) => [event.seq, event]));
    const seen = new Set<number>();
    let last = liveSeq;
    verdict.received += received.length;
    for (const event of received) {
      if (seen.has(event.seq)) verdict.duplicated++;
      else if (event.seq < last) verdict.outOfOrder++;
      seen.add(event.seq);
      last = Math.max(last, event.seq);
      const logged = bySeq.get(event.seq);
      if (!logged || logged.row !== event.row || logged.op !== event.op) verdict.altered++;
    }
    // An open tab owes everything after live; a closed one everything up to the last it got.
    const owed = truth.filter((event) => event.seq > liveSeq && (tab.open || event.seq <= last));
    verdict.lost += owed.filter((event) => !seen.has(event.seq)).length;
    if (tab.open) {
      const view = apply(
        apply(
          new Map(),
          truth.filter((event) => event.seq <= liveSeq),
        ),
        received,
      );
      if (!sameView(view, apply(new Map(), truth))) verdict.viewEqual = false;
    }
  }
  return verdict;
}

export function check(tabs: readonly TabLog[], log: Record<string, LoggedEvent[]>): Verdict {
  const verdicts = tabs.map((tab) => judge(tab, log));
  const sum = (key: 'lost' | 'duplicated' | 'outOfOrder' | 'altered' | 'leaked'): number =>
    verdicts.reduce((n, v) => n + v[key], 0);
  const totals = {
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    outOfOrder: sum('outOfOrder'),
    altered: sum('altered'),
    leaked: sum('leaked'),
  };
  const viewsEqual = verdicts.every((v) => v.viewEqual !== false);
  return {
    tabs: verdicts,
    ...totals,
    viewsEqual,
    ok: Object.values(totals).every((n) => n === 0) && viewsEqual,
  };
}
