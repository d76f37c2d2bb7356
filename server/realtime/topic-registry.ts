// Who is joined where: members by topic (broadcast, presence) and by table (postgres_changes),
// so neither fan-out walks every socket.
import type { Member } from './channel.js';

const tableKey = (schema: string, table: string): string => `${schema}.${table}`;

export class TopicRegistry {
  private readonly byTopic = new Map<string, Set<Member>>();
  private readonly byTable = new Map<string, Set<Member>>();

  add(member: Member): void {
    addTo(this.byTopic, member.channel.topic, member);
    for (const key of tablesOf(member)) addTo(this.byTable, key, member);
  }

  remove(member: Member): void {
    removeFrom(this.byTopic, member.channel.topic, member);
    for (const key of tablesOf(member)) removeFrom(this.byTable, key, member);
  }

  onTopic(topic: string): ReadonlySet<Member> {
    return this.byTopic.get(topic) ?? EMPTY;
  }

  onTable(schema: string, table: string): ReadonlySet<Member> {
    return this.byTable.get(tableKey(schema, table)) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<Member> = new Set();

const tablesOf = (member: Member): Set<string> =>
  new Set(member.channel.config.bindings.map((b) => tableKey(b.schema, b.table)));

function addTo(map: Map<string, Set<Member>>, key: string, member: Member): void {
  const set = map.get(key);
  if (set) set.add(member);
  else map.set(key, new Set([member]));
}

function removeFrom(map: Map<string, Set<Member>>, key: string, member: Member): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(member);
  if (set.size === 0) map.delete(key);
}
