// Presence per topic: who tracks what, as plain data. Each socket's channel tracks under its
// presence key; the registry answers with the diff every joined member must be sent.
import type { PresenceEntries } from './protocol.js';

export interface PresenceDiff {
  joins: PresenceEntries;
  leaves: PresenceEntries;
}

interface Tracked {
  key: string;
  meta: Record<string, unknown>;
}

export class PresenceRegistry {
  /** topic → socket id → what that socket tracks there. */
  private readonly topics = new Map<string, Map<string, Tracked>>();

  /** A socket's channel tracks `meta` under `key`; replaces what it tracked before. */
  track(topic: string, socketId: string, key: string, meta: Record<string, unknown>): PresenceDiff {
    let members = this.topics.get(topic);
    if (!members) this.topics.set(topic, (members = new Map<string, Tracked>()));
    const previous = members.get(socketId);
    const tracked = { key, meta: { ...meta, phx_ref: crypto.randomUUID() } };
    members.set(socketId, tracked);
    return {
      joins: { [key]: { metas: [tracked.meta] } },
      leaves: previous ? { [previous.key]: { metas: [previous.meta] } } : {},
    };
  }

  /** The socket stops tracking on this topic; undefined when it tracked nothing. */
  untrack(topic: string, socketId: string): PresenceDiff | undefined {
    const members = this.topics.get(topic);
    const previous = members?.get(socketId);
    if (!members || !previous) return undefined;
    members.delete(socketId);
    if (members.size === 0) this.topics.delete(topic);
    return { joins: {}, leaves: { [previous.key]: { metas: [previous.meta] } } };
  }

  /** Everything tracked on a topic, grouped by key: the presence_state a joining channel gets. */
  state(topic: string): PresenceEntries {
    const state: PresenceEntries = {};
    for (const { key, meta } of this.topics.get(topic)?.values() ?? []) {
      (state[key] ??= { metas: [] }).metas.push(meta);
    }
    return state;
  }
}
