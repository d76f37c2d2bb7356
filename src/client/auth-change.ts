// A scope's sign-in or sign-out as a tab hears it on the scope's channel. Any page of the origin
// can post there, so what arrives is checked before the tab acts on it.
import type { AuthChange, AuthUser, SessionScope } from '../../contract/protocol.js';

const isText = (value: unknown): value is string | null => value === null || typeof value === 'string';

function parseUser(value: unknown): AuthUser | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, email, name } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || !isText(email) || !isText(name)) return undefined;
  return { id, email, name };
}

/** The change, if `data` is one for `scope`; undefined for anything else. */
export function parseAuthChange(data: unknown, scope: SessionScope): AuthChange | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const change = data as Record<string, unknown>;
  if (change['scope'] !== scope) return undefined;
  if (change['type'] === 'auth:signed-in') {
    const user = parseUser(change['user']);
    return user && { type: 'auth:signed-in', scope, user };
  }
  const reason = change['reason'];
  if (change['type'] === 'auth:signed-out' && (reason === 'signed-out' || reason === 'expired'))
    return { type: 'auth:signed-out', scope, reason };
  return undefined;
}
