// The outbox channel's boundary: any page of the origin can post on a BroadcastChannel, so what
// arrives there is parsed into an OutboxMessage (contract/protocol.ts) or dropped, never acted on
// as it is. Entries must be well-formed entries of this user, as a drainer announces them.
import type { OutboxChange, OutboxMessage } from '../../contract/protocol.js';
import { readEntry } from './stored-entry.js';

export function parseOutboxMessage(data: unknown, userId: string): OutboxMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { type, changes } = data as Record<string, unknown>;
  switch (type) {
    case 'enqueued':
    case 'changed':
    case 'server-back':
      return { type };
    case 'entries': {
      // A drainer announces one batch at a time, never an empty one.
      if (!Array.isArray(changes) || changes.length === 0) return undefined;
      const parsed: OutboxChange[] = [];
      for (const change of changes as unknown[]) {
        const read = parseChange(change, userId);
        if (!read) return undefined;
        parsed.push(read);
      }
      return { type, changes: parsed };
    }
    default:
      return undefined;
  }
}

function parseChange(value: unknown, userId: string): OutboxChange | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { entry, removed } = value as Record<string, unknown>;
  if (typeof removed !== 'boolean') return undefined;
  const read = readEntry(entry, userId);
  return read && { entry: read, removed };
}
