// The user's access token as the broker holds it: the REST client made with it (the log reads and
// the outbox's sends go through it), whether it is still worth sending, and asking for a fresh one
// when it is not (the broker's own auth refreshes it; an app that owns its session is asked over
// the bus). The server verifies tokens, never the broker.
import { PostgrestClient } from '@supabase/postgrest-js';
import type { Database } from '../contract/schema.js';
import { tokenExpiresAt, tokenFresh, tokenMargin } from './core/token-expiry.js';
import type { Clock } from './environment.js';

export type Rest = PostgrestClient<Database>;

/** Where REST calls get the client for the current token. */
export interface RestSource {
  rest(): Rest;
}

export interface Project {
  supabaseUrl: string;
  anonKey: string;
}

export class SessionToken implements RestSource {
  private client: Rest;
  private token: string;
  private expiresAt: number | undefined;
  private marginMs: number;
  private readonly waiting = new Set<() => void>();

  /** `renew` asks whoever owns the session for a fresh token; it arrives through set(). */
  constructor(
    private readonly project: Project,
    token: string,
    private readonly clock: Clock,
    readonly renew: () => void,
  ) {
    this.token = token;
    this.client = this.restClient(token);
    this.expiresAt = tokenExpiresAt(token);
    this.marginMs = tokenMargin(token);
  }

  /** The token every REST call carries now. */
  get current(): string {
    return this.token;
  }

  /** A refreshed token: every later REST call carries it. */
  set(token: string): void {
    this.token = token;
    this.client = this.restClient(token);
    this.expiresAt = tokenExpiresAt(token);
    this.marginMs = tokenMargin(token);
    for (const wake of this.waiting) wake();
  }

  /**
   * The token, fresh: at once if it is, else after asking for a new one (within `withinMs`).
   * Rejects when none came, so a channel is never joined with an expired token.
   */
  async freshToken(withinMs: number): Promise<string> {
    if (this.fresh()) return this.token;
    this.renew();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, withinMs);
      this.waiting.add(done);
    });
    // Supabase's words, so the refusal reads as an expired token (core/refusal.ts).
    if (!this.fresh()) throw new Error('Token has expired and no fresh one came');
    return this.token;
  }

  rest(): Rest {
    return this.client;
  }

  /** False once the token is (about to be) expired: sending with it would only earn 401s. */
  fresh(): boolean {
    return tokenFresh(this.expiresAt, this.clock.now(), this.marginMs);
  }

  private restClient(token: string): Rest {
    return new PostgrestClient<Database>(`${this.project.supabaseUrl}/rest/v1`, {
      headers: { apikey: this.project.anonKey, Authorization: `Bearer ${token}` },
      // The broker retries on its own terms (catch-up, outbox backoff); postgrest-js's own
      // retries would hide an outage for seconds and delay a drain when the network returns.
      retry: false,
    });
  }
}
