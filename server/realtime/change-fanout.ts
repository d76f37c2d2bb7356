// Sends each drained change to the channels whose bindings match it and whose claims can see the
// row, in commit order. A batch is planned first (who matches), then checked against RLS with one
// query per distinct claims and table, then sent; each distinct frame is encoded once.
import type { Claims } from '../auth/jwt.js';
import type { PublishedTable } from './change-capture.js';
import type { Member } from './channel.js';
import { matchingIds } from './postgres-changes.js';
import type { ChangeRecord } from './protocol.js';
import type { RlsGate, RowKey } from './rls-gate.js';
import { encodeWithPayload } from './serializer.js';
import type { TopicRegistry } from './topic-registry.js';

interface Target {
  member: Member;
  ids: number[];
}

interface Plan {
  change: ChangeRecord;
  table: PublishedTable;
  oldRecord: Record<string, unknown> | null;
  targets: Target[];
  /** INSERT and UPDATE on an RLS table: each target's claims must see the row. */
  checked: boolean;
}

interface ClaimsGroup {
  claims: Claims;
  rows: RowKey[];
  /** Plan index → index into rows. */
  rowOf: Map<number, number>;
  visible: Set<number>;
}

// Supabase sends a change over 1 MB with only its small values and this error.
const TOO_LARGE = 'Error 413: Payload Too Large';
const SMALL_VALUE = 64;

export class ChangeFanout {
  changes = 0;
  deliveries = 0;

  constructor(
    private readonly tables: ReadonlyMap<string, PublishedTable>,
    private readonly registry: TopicRegistry,
    private readonly gate: RlsGate,
    private readonly maxChangeBytes: number,
  ) {}

  async deliver(batch: readonly ChangeRecord[]): Promise<void> {
    this.changes += batch.length;
    const plans = batch.flatMap((change) => this.plan(change) ?? []);
    const groups = await this.checkRls(plans);
    plans.forEach((plan, p) => this.send(plan, p, groups));
  }

  private plan(change: ChangeRecord): Plan | undefined {
    const table = this.tables.get(`${change.schema}.${change.table}`);
    if (!table) return undefined;
    // DELETE: not RLS-checked, and with RLS on only the primary key of the old row goes out.
    const oldRecord =
      change.type === 'DELETE' && table.rlsEnabled && change.oldRecord
        ? Object.fromEntries(table.primaryKey.map((k) => [k, change.oldRecord?.[k] ?? null]))
        : change.oldRecord;
    const row = change.type === 'DELETE' ? oldRecord : change.record;
    const targets: Target[] = [];
    for (const member of this.registry.onTable(change.schema, change.table)) {
      const { bindings, filters } = member.channel.config;
      const ids = matchingIds(bindings, filters, change, row);
      if (ids.length > 0) targets.push({ member, ids });
    }
    if (targets.length === 0) return undefined;
    const checked = change.type !== 'DELETE' && table.rlsEnabled && change.record !== null;
    return { change, table, oldRecord, targets, checked };
  }

  private async checkRls(plans: readonly Plan[]): Promise<Map<string, ClaimsGroup>> {
    const groups = new Map<string, ClaimsGroup>();
    plans.forEach((plan, p) => {
      if (!plan.checked) return;
      for (const { member } of plan.targets) {
        const { claims, claimsKey } = member.channel;
        let group = groups.get(claimsKey);
        if (!group)
          groups.set(claimsKey, (group = { claims, rows: [], rowOf: new Map(), visible: new Set() }));
        if (group.rowOf.has(p)) continue;
        group.rowOf.set(p, group.rows.length);
        group.rows.push({
          table: plan.table,
          key: plan.table.primaryKey.map((k) => plan.change.record?.[k]),
        });
      }
    });
    for (const group of groups.values()) {
      try {
        group.visible = await this.gate.visible(group.claims, group.rows);
      } catch (error) {
        // Fail closed: a subscriber whose check failed gets nothing rather than a row it may not see.
        console.error('realtime: RLS check failed', error);
      }
    }
    return groups;
  }

  private send(plan: Plan, p: number, groups: ReadonlyMap<string, ClaimsGroup>): void {
    const dataJson = this.encodeData(plan);
    const encoded = new Map<string, Buffer>();
    const current = this.registry.onTable(plan.change.schema, plan.change.table);
    for (const { member, ids } of plan.targets) {
      // The channel may have left or re-joined while RLS was being asked.
      if (!current.has(member)) continue;
      const { channel, subscriber } = member;
      if (plan.checked) {
        const group = groups.get(channel.claimsKey);
        const row = group?.rowOf.get(p);
        if (group === undefined || row === undefined || !group.visible.has(row)) continue;
      }
      const key = `${subscriber.vsn}\u0000${channel.joinRef}\u0000${channel.topic}\u0000${ids.join(',')}`;
      let frame = encoded.get(key);
      if (!frame) {
        const head = { joinRef: channel.joinRef, ref: null, topic: channel.topic, event: 'postgres_changes' };
        const payload = `{"ids":${JSON.stringify(ids)},"data":${dataJson}}`;
        encoded.set(key, (frame = Buffer.from(encodeWithPayload(head, payload, subscriber.vsn))));
      }
      this.deliveries++;
      subscriber.sendEncoded(frame, false);
    }
  }

  private encodeData(plan: Plan): string {
    const { change, table } = plan;
    const data = (
      record: Record<string, unknown> | null,
      old: Record<string, unknown> | null,
      errors: string[] | null,
    ): string =>
      JSON.stringify({
        schema: change.schema,
        table: change.table,
        commit_timestamp: change.commitTimestamp,
        type: change.type,
        columns: table.columns,
        ...(change.type !== 'DELETE' ? { record } : {}),
        ...(change.type !== 'INSERT' ? { old_record: old } : {}),
        errors,
      });
    const full = data(change.record, plan.oldRecord, null);
    if (Buffer.byteLength(full) <= this.maxChangeBytes) return full;
    return data(smallValues(change.record), smallValues(plan.oldRecord), [TOO_LARGE]);
  }
}

function smallValues(row: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!row) return row;
  return Object.fromEntries(
    Object.entries(row).filter(([, v]) => (JSON.stringify(v) ?? '').length <= SMALL_VALUE),
  );
}
