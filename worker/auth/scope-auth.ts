// One scope's Supabase session, owned by the broker: auth-js's client over the profile's session
// store (IndexedDB in a browser), so the session outlives the worker and the tabs never hold a
// token. Refreshing is done by one context per scope: the SharedWorker (there is one per profile),
// or in per-tab mode the page elected by a Web Lock; the others hear the new session through
// auth-js's own BroadcastChannel and the shared store.
//
// The refresher times each refresh itself (refreshLead) instead of running auth-js's ticker: the
// ticker looks every 30 s and refreshes whatever expires within 90 s, so a token that lives less
// than two minutes is refreshed at every tick and may still expire between two of them.
import {
  GoTrueClient,
  isAuthRetryableFetchError,
  type LockFunc,
  type Session,
  type User,
} from '@supabase/auth-js';
import type { AuthUser, Credentials, SessionScope, SignUpRequest } from '../../contract/protocol.js';
import { authRefresherLock, authStorageKey } from '../../contract/names.js';
import type { LockManagerLike } from '../environment.js';
import { BrokerFailure } from '../validate.js';
import type { AuthStorage } from './auth-storage.js';

/** What the broker hears of a scope's session. */
export interface ScopeAuthListener {
  /** Signed in (`signedIn`), or a fresh token for the same user. */
  session(scope: SessionScope, user: AuthUser, accessToken: string, signedIn: boolean): void;
  /** The session ended: a sign-out, or a refresh the server refused (`expired`). */
  ended(scope: SessionScope, reason: 'signed-out' | 'expired'): void;
}

export interface ScopeAuthOptions {
  supabaseUrl: string;
  anonKey: string;
  storage: AuthStorage;
  /** 'always': this context refreshes (a SharedWorker); else the lock manager elects one refresher. */
  refresher: 'always' | LockManagerLike;
  /** auth-js's lock across contexts sharing the store (navigator.locks in a browser). */
  lock?: LockFunc;
}

/**
 * How long before expiry the refresher renews a token: a fifth of its life, at most a minute (an
 * hour's token is renewed at 59 min, a 20-s one at 16 s), so it is renewed once per lifetime.
 */
export const refreshLead = (lifetimeMs: number): number => Math.min(60_000, lifetimeMs / 5);

/** After a refresh that failed (offline), the next try. */
const REFRESH_RETRY_MS = 5_000;

type Phase =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'signed-in'; user: AuthUser; accessToken: string }
  /** This broker asked to sign out: the end that follows is a sign-out, not an expiry. */
  | { kind: 'signing-out' }
  /** The server refused this broker's refresh: the end that follows is an expiry. */
  | { kind: 'expiring' };

export const toAuthUser = (user: User): AuthUser => {
  const name: unknown = user.user_metadata['display_name'];
  return { id: user.id, email: user.email ?? null, name: typeof name === 'string' && name ? name : null };
};

export class ScopeAuth {
  private readonly client: GoTrueClient;
  private phase: Phase = { kind: 'loading' };
  private readonly loaded: Promise<void>;
  private readonly stopListening: () => void;
  private readonly stopRefresher = new AbortController();
  /** Whether this context renews the scope's token (the worker, or the page elected in per-tab mode). */
  private refresher = false;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private expiresAt: number | undefined;

  constructor(
    readonly scope: SessionScope,
    options: ScopeAuthOptions,
    private readonly listener: ScopeAuthListener,
  ) {
    this.client = new GoTrueClient({
      url: `${options.supabaseUrl}/auth/v1`,
      headers: { apikey: options.anonKey, Authorization: `Bearer ${options.anonKey}` },
      storageKey: authStorageKey(scope),
      storage: options.storage,
      autoRefreshToken: false,
      persistSession: true,
      detectSessionInUrl: false,
      ...(options.lock ? { lock: options.lock } : {}),
    });
    let loaded!: () => void;
    // Whichever comes first: auth-js's first answer, or the stored session read directly. Offline
    // with an expired session, auth-js retries its refresh for up to 30 s before it answers; the
    // tab must not wait that long to learn who is signed in (the token is renewed before use).
    this.loaded = Promise.race([
      new Promise<void>((resolve) => (loaded = resolve)),
      this.readStored(options.storage),
    ]);
    const { data } = this.client.onAuthStateChange((event, session) => {
      // Outside the callback: auth-js holds its lock while listeners run, and getSession waits on it.
      setTimeout(() => {
        this.changed(session);
        if (event === 'INITIAL_SESSION') loaded();
      });
    });
    this.stopListening = () => data.subscription.unsubscribe();
    if (options.refresher === 'always') this.refresher = true;
    else this.elect(options.refresher);
  }

  /** The user signed in here, once the stored session has been read. */
  async user(): Promise<AuthUser | null> {
    await this.loaded;
    return this.phase.kind === 'signed-in' ? this.phase.user : null;
  }

  /** The current token, if signed in: for a tab (or a new user session) that joins late. */
  get current(): { user: AuthUser; accessToken: string } | undefined {
    return this.phase.kind === 'signed-in' ? this.phase : undefined;
  }

  async signIn(credentials: Credentials): Promise<AuthUser> {
    const { data, error } = await this.client.signInWithPassword(credentials);
    if (error) throw authFailure(error);
    // Signed in for every tab before this call answers, not when auth-js's event comes round.
    this.changed(data.session);
    return toAuthUser(data.user);
  }

  async signUp({ email, password, name }: SignUpRequest): Promise<AuthUser | null> {
    const { data, error } = await this.client.signUp({
      email,
      password,
      options: { data: name ? { display_name: name } : {} },
    });
    if (error) throw authFailure(error);
    if (!data.session || !data.user) return null;
    this.changed(data.session);
    return toAuthUser(data.user);
  }

  /** Revokes the session on the server when it can be reached (offline: on this profile only). */
  async signOut(): Promise<void> {
    this.phase = { kind: 'signing-out' };
    const { error } = await this.client.signOut();
    if (error) await this.client.signOut({ scope: 'local' });
    // Ended now, not when auth-js's event comes round (which then changes nothing).
    this.changed(null);
  }

  /**
   * A token good for a while yet: the current one, or a refreshed one (auth-js refreshes a session
   * close to expiry when it is read). Undefined when signed out or the server cannot be reached.
   */
  async freshToken(): Promise<string | undefined> {
    const { data, error } = await this.client.getSession();
    if (error) this.refused(error);
    return data.session?.access_token;
  }

  stop(): void {
    this.stopListening();
    this.stopRefresher.abort();
    clearTimeout(this.refreshTimer);
  }

  private changed(session: Session | null): void {
    const previous = this.phase;
    // An event from before a sign-out or a refused refresh, delivered late: the session is over.
    if (session && (previous.kind === 'signing-out' || previous.kind === 'expiring')) return;
    // The session ended without this broker's doing: signed out in another tab (per-tab mode).
    this.expiresAt = session?.expires_at === undefined ? undefined : session.expires_at * 1000;
    this.planRefresh(session ? session.expires_in * 1000 : undefined);
    if (session) {
      const user = toAuthUser(session.user);
      this.phase = { kind: 'signed-in', user, accessToken: session.access_token };
      const signedIn = previous.kind !== 'signed-in' || previous.user.id !== user.id;
      return this.listener.session(this.scope, user, session.access_token, signedIn);
    }
    this.phase = { kind: 'signed-out' };
    if (previous.kind !== 'loading' && previous.kind !== 'signed-out')
      this.listener.ended(this.scope, previous.kind === 'expiring' ? 'expired' : 'signed-out');
  }

  /**
   * A refresh the server refused (not one that could not reach it): the session cannot be renewed
   * (revoked, or signed out everywhere), unless another context renewed it first (per-tab mode).
   */
  private refused(error: Error): void {
    const signedIn = this.phase;
    if (isAuthRetryableFetchError(error) || signedIn.kind !== 'signed-in') return;
    this.phase = { kind: 'expiring' };
    void (async () => {
      const { data } = await this.client.getSession();
      if (data.session && data.session.access_token !== signedIn.accessToken) {
        this.phase = signedIn;
        return this.changed(data.session);
      }
      // auth-js keeps a session whose access token is still valid; this one has no future.
      await this.client.signOut({ scope: 'local' });
      this.changed(null);
    })();
  }

  /** The stored session's user and token, if one is stored; resolves never when none is (auth-js answers then). */
  private async readStored(storage: AuthStorage): Promise<void> {
    const stored = storedSession(await storage.getItem(authStorageKey(this.scope)).catch(() => null));
    if (!stored) return new Promise<void>(() => undefined);
    if (this.phase.kind === 'loading') this.changed(stored);
  }

  /** Sets the timer for the next refresh, if this context is the refresher and a session lives. */
  private planRefresh(lifetimeMs: number | undefined): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (!this.refresher || this.expiresAt === undefined || lifetimeMs === undefined) return;
    const due = this.expiresAt - refreshLead(lifetimeMs);
    this.refreshTimer = setTimeout(() => void this.refresh(lifetimeMs), Math.max(0, due - Date.now()));
  }

  /** Renews the token; success comes back through auth-js's TOKEN_REFRESHED (changed). */
  private async refresh(lifetimeMs: number): Promise<void> {
    // getSession, not refreshSession: auth-js renews a session it reads within 90 s of expiry
    // (this is always within: the lead is at most 60 s), and refreshSession reads the session
    // first, so it renewed a short-lived token twice.
    const { error } = await this.client.getSession();
    if (!error) return;
    // Offline: try again soon. A refused refresh token signs the scope out (auth-js's SIGNED_OUT).
    this.refused(error);
    if (isAuthRetryableFetchError(error) && this.phase.kind === 'signed-in') {
      this.refreshTimer = setTimeout(() => void this.refresh(lifetimeMs), REFRESH_RETRY_MS);
    }
  }

  /** Per-tab mode: the page that holds the scope's refresher lock renews its token. */
  private elect(locks: LockManagerLike): void {
    const { signal } = this.stopRefresher;
    void locks
      .request(authRefresherLock(this.scope), { signal }, async () => {
        this.refresher = true;
        // Elected late (the refresher's page closed): another tab's session may be the newest.
        const { data } = await this.client.getSession();
        this.changed(data.session);
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      })
      .catch(() => undefined);
  }
}

/** A session as auth-js stores it (JSON), if it reads as one: the parts the broker uses, checked. */
function storedSession(text: string | null): Session | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Session> | null;
    const user = value?.user as Partial<User> | undefined;
    if (
      typeof value?.access_token !== 'string' ||
      typeof value.expires_in !== 'number' ||
      typeof value.expires_at !== 'number' ||
      typeof user?.id !== 'string' ||
      typeof user.user_metadata !== 'object'
    )
      return undefined;
    return value as Session;
  } catch {
    return undefined;
  }
}

function authFailure(error: Error): BrokerFailure {
  return isAuthRetryableFetchError(error)
    ? new BrokerFailure('auth_unreachable', 'the sign-in server cannot be reached')
    : new BrokerFailure('auth_failed', error.message);
}
