// What the auth routes count for the admin API: token refreshes (refresh_token grants answered
// with a new session) per user since the backend started. It is the witness for "one refresh per
// profile per token lifetime": a profile's tabs share one user, so its count is theirs.
import type { AuthCounts } from '../admin/protocol.js';

export class AuthMetrics {
  private readonly refreshes = new Map<string, number>();

  tokenRefreshed(userId: string): void {
    this.refreshes.set(userId, (this.refreshes.get(userId) ?? 0) + 1);
  }

  snapshot(): AuthCounts {
    return { token_refreshes: Object.fromEntries(this.refreshes) };
  }
}
