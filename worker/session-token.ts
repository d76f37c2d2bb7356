// The user's access token as the broker holds it: the REST client made with it (the log reads and
// the outbox's sends go through it) and whether it is still worth sending. Tabs own the Supabase
// session and hand each fresh token over (setSession); the server verifies tokens, never the broker.
import { PostgrestClient } from '@supabase/postgrest-js';
import type { Database } from '../contract/schema.js';
import { tokenExpiresAt, tokenFresh } from './core/token-expiry.js';
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
  private expiresAt: number | undefined;

  constructor(
    private readonly project: Project,
    token: string,
    private readonly clock: Clock,
  ) {
    this.client = this.restClient(token);
    this.expiresAt = tokenExpiresAt(token);
  }

  /** A refreshed token: every later REST call carries it. */
  set(token: string): void {
    this.client = this.restClient(token);
    this.expiresAt = tokenExpiresAt(token);
  }

  rest(): Rest {
    return this.client;
  }

  /** False once the token is (about to be) expired: sending with it would only earn 401s. */
  fresh(): boolean {
    return tokenFresh(this.expiresAt, this.clock.now());
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
