// What the diagnostics page derives from a broker snapshot, pure: the spans of time the socket was
// down (shaded on the chart), and the report "Copy diagnostics" puts on the clipboard, with every
// token-looking string taken out (a report is pasted into tickets and chats).
import type { Diagnostics, OutboxEntry, UserDiagnostics } from '../../client/index.js';

type StateChange = UserDiagnostics['history'][number];

/** States in which the socket is out: a span of each is shaded on the chart. */
const OUT = new Set<StateChange['kind']>(['reconnecting', 'offline', 'error']);

export interface Span {
  from: number;
  to: number;
}

/** The time spans (epoch ms) within [since, now] that the socket spent out, from its state history. */
export function outageSpans(history: readonly StateChange[], since: number, now: number): Span[] {
  const spans: Span[] = [];
  const sorted = [...history].sort((a, b) => a.at - b.at);
  sorted.forEach((change, i) => {
    if (!OUT.has(change.kind)) return;
    const from = Math.max(change.at, since);
    const to = Math.min(sorted[i + 1]?.at ?? now, now);
    if (to <= from) return;
    const last = spans.at(-1);
    // reconnecting → error → reconnecting is one outage.
    if (last && last.to === from) last.to = to;
    else spans.push({ from, to });
  });
  return spans;
}

/** A JWT (access, refresh-as-JWT, API keys): three base64url parts, the first a JSON header. */
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;

export const redactTokens = (text: string): string => text.replace(JWT, '[token removed]');

/** What the report says of this tab, beyond the broker's snapshot. */
export interface ReportContext {
  at: number;
  tabId: string;
  userAgent: string;
  /** Band names by id, where the tab knows them. */
  bandNames: ReadonlyMap<string, string>;
}

/**
 * The report as JSON text: the snapshot, the outbox without its contents (kinds, statuses, errors:
 * what support needs, not the songs), band names, which tab it came from. Tokens are removed.
 */
export function diagnosticsReport(
  snapshot: Diagnostics,
  outbox: readonly OutboxEntry[],
  context: ReportContext,
): string {
  const report = {
    generatedAt: new Date(context.at).toISOString(),
    thisTab: context.tabId,
    userAgent: context.userAgent,
    bandNames: Object.fromEntries(context.bandNames),
    broker: snapshot,
    outbox: outbox.map((entry) => ({
      id: entry.id,
      kind: entry.write.kind,
      status: entry.status,
      attempts: entry.attempts,
      notBefore: entry.notBefore,
      error: entry.error ?? null,
      createdAt: entry.createdAt,
    })),
  };
  return redactTokens(JSON.stringify(report, null, 2));
}
