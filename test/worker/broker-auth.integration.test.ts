// The broker's own auth against the real local backend: sign-in, sign-up and sign-out as broker
// calls, the session in the profile's store (surviving a broker replacement), scopes kept apart,
// and a token renewed before the socket joins again after it expired.
import { describe, expect, it } from 'vitest';
import { bandWith, signedUpClient, until } from '../support/backend.js';
import { chaos } from '../support/admin.js';
import { useBackend } from '../support/use-backend.js';
import { nodeBroker, type NodeBroker } from '../support/node-broker.js';
import { nodeEnvironment } from '../support/node-environment.js';
import { MemoryAuthStorage } from '../../worker/auth/auth-storage.js';
import type { AuthChange, Result } from '../../contract/protocol.js';
import { authStorageKey } from '../../contract/names.js';

const backend = useBackend();

interface Profile {
  node: NodeBroker;
  auth: AuthChange[];
}

/** A broker over `storage` (the profile's IndexedDB), with tabs greeted and using `scope`. */
async function profile(
  storage: MemoryAuthStorage,
  tabs: [string, string][] = [['tab-1', 'profile']],
): Promise<Profile> {
  const auth: AuthChange[] = [];
  const node = nodeBroker(undefined, 50, nodeEnvironment({ authStorage: storage }), (change) =>
    auth.push(change),
  );
  await node.broker.configure({
    supabaseUrl: backend.url,
    anonKey: backend.anonKey,
    heartbeatIntervalMs: 300,
  });
  for (const [tabId, scope] of tabs) {
    await node.broker.hello(tabId, `lock-${tabId}`);
    expect(await node.broker.useAuth(tabId, scope)).toMatchObject({ ok: true });
  }
  return { node, auth };
}

const value = <T>(result: Result<T>): T => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

describe('the broker owns the session', () => {
  it('signs in with a password, and a tab of the same scope is signed in with it', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const { node, auth } = await profile(new MemoryAuthStorage(), [
      ['tab-1', 'profile'],
      ['tab-2', 'profile'],
    ]);
    const user = value(await node.broker.signIn('tab-1', { email: alice.email, password: alice.password }));
    expect(user).toMatchObject({ id: alice.userId, email: alice.email });
    expect(auth).toContainEqual({ type: 'auth:signed-in', scope: 'profile', user });
    // tab-2 never signed in itself: it shares the profile's session.
    expect(value(await node.broker.watchBand('tab-2', bandId)).bandId).toBe(bandId);
    const { tabs } = await node.broker.diagnostics();
    expect(tabs.map((tab) => tab.userId)).toEqual([alice.userId, alice.userId]);
    node.close();
  });

  it('refuses a wrong password with the server’s words, and signs nobody in', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const { node, auth } = await profile(new MemoryAuthStorage());
    const result = await node.broker.signIn('tab-1', { email: alice.email, password: 'not the password' });
    expect(result).toEqual({
      ok: false,
      error: { code: 'auth_failed', message: 'Invalid login credentials' },
    });
    expect(auth).toEqual([]);
    expect((await node.broker.watchBand('tab-1', crypto.randomUUID())).ok).toBe(false);
    node.close();
  });

  it('keeps the session in the profile’s store: a new broker (worker replacement) is signed in at once', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bandId = await bandWith(alice.client);
    const storage = new MemoryAuthStorage();
    const first = await profile(storage);
    value(await first.node.broker.signIn('tab-1', { email: alice.email, password: alice.password }));
    first.node.close();
    const second = await profile(new MemoryAuthStorage(), []);
    await second.node.broker.hello('tab-1', 'lock-tab-1');
    expect(value(await second.node.broker.useAuth('tab-1', 'profile'))).toEqual({ user: null, state: null });
    second.node.close();
    const replaced = await profile(storage, []);
    await replaced.node.broker.hello('tab-1', 'lock-tab-1');
    expect(value(await replaced.node.broker.useAuth('tab-1', 'profile')).user).toMatchObject({
      id: alice.userId,
    });
    expect(value(await replaced.node.broker.watchBand('tab-1', bandId)).bandId).toBe(bandId);
    replaced.node.close();
  });

  it('signs up through the broker with the name co-members see', async () => {
    const { node } = await profile(new MemoryAuthStorage());
    const email = `new-${crypto.randomUUID()}@example.com`;
    const user = value(await node.broker.signUp('tab-1', { email, password: 'long enough 1', name: 'Nina' }));
    expect(user).toMatchObject({ email, name: 'Nina' });
    node.close();
  });

  it('signs out every tab of the scope, forgets the stored session, and ends the user’s socket', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const storage = new MemoryAuthStorage();
    const { node, auth } = await profile(storage, [
      ['tab-1', 'profile'],
      ['tab-2', 'profile'],
    ]);
    value(await node.broker.signIn('tab-1', { email: alice.email, password: alice.password }));
    expect(storage.items.has(authStorageKey('profile'))).toBe(true);
    value(await node.broker.signOut('tab-2'));
    expect(auth.at(-1)).toEqual({ type: 'auth:signed-out', scope: 'profile', reason: 'signed-out' });
    expect(node.events).toContainEqual({ type: 'session:ended', userId: alice.userId });
    expect(storage.items.has(authStorageKey('profile'))).toBe(false);
    const { tabs, users } = await node.broker.diagnostics();
    expect(tabs.map((tab) => tab.userId)).toEqual([undefined, undefined]);
    expect(users).toEqual([]);
    node.close();
  });

  it('keeps two people in one profile apart: each tab scope has its own user and hears only its own events', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const [aliceScope, bobScope] = [`tab:${crypto.randomUUID()}`, `tab:${crypto.randomUUID()}`];
    const { node, auth } = await profile(new MemoryAuthStorage(), [
      ['tab-a', aliceScope],
      ['tab-b', bobScope],
    ]);
    value(await node.broker.signIn('tab-a', { email: alice.email, password: alice.password }));
    value(await node.broker.signIn('tab-b', { email: bob.email, password: bob.password }));
    const aliceBand = await bandWith(alice.client);
    value(await node.broker.watchBand('tab-a', aliceBand));
    expect((await node.broker.watchBand('tab-b', aliceBand)).ok).toBe(false);
    expect(auth.map((change) => change.scope)).toEqual([aliceScope, bobScope]);
    const { tabs } = await node.broker.diagnostics();
    expect(Object.fromEntries(tabs.map((tab) => [tab.tabId, tab.userId]))).toEqual({
      'tab-a': alice.userId,
      'tab-b': bob.userId,
    });
    // Bob's sign-out leaves Alice signed in.
    value(await node.broker.signOut('tab-b'));
    expect((await node.broker.diagnostics()).tabs.find((tab) => tab.tabId === 'tab-a')?.userId).toBe(
      alice.userId,
    );
    node.close();
  });

  it('refuses a scope, credentials or a call of a tab that never chose a scope, clearly', async () => {
    const { node } = await profile(new MemoryAuthStorage());
    await node.broker.hello('tab-9', 'lock-tab-9');
    expect(await node.broker.useAuth('tab-9', 'everyone')).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    expect(await node.broker.signIn('tab-1', { email: 'a@b.c' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    expect(await node.broker.signOut('tab-9')).toMatchObject({ ok: false, error: { code: 'no_session' } });
    node.close();
  });
});

describe('tokens the broker renews', () => {
  const shortLived = useBackend({ accessTokenTtlSeconds: 6 });

  /** A broker for the short-lived backend, its tab signed in as `who` through the broker. */
  async function signedInThroughBroker(who: { email: string; password: string }) {
    const auth: AuthChange[] = [];
    const node = nodeBroker(undefined, 50, nodeEnvironment(), (change) => auth.push(change));
    await node.broker.configure({
      supabaseUrl: shortLived.url,
      anonKey: shortLived.anonKey,
      heartbeatIntervalMs: 300,
    });
    await node.broker.hello('tab-1', 'lock-tab-1');
    value(await node.broker.useAuth('tab-1', 'profile'));
    value(await node.broker.signIn('tab-1', { email: who.email, password: who.password }));
    return { node, auth };
  }

  it('renews the token before it expires, so the socket stays joined and no join is refused', async () => {
    const alice = await signedUpClient(shortLived, 'alice');
    const bandId = await bandWith(alice.client);
    const { node } = await signedInThroughBroker(alice);
    value(await node.broker.watchBand('tab-1', bandId));
    const states: string[] = [];
    const seen = node.events.length;
    // Three lifetimes: an unrenewed token would have the server close the band's channel.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    for (const event of node.events.slice(seen))
      if (event.type === 'realtime:state-changed') states.push(event.state.kind);
    expect(states).toEqual([]);
    await alice.client.auth.signInWithPassword({ email: alice.email, password: alice.password });
    const { error } = await alice.client
      .from('songs')
      .insert({ band_id: bandId, title: 'after three lifetimes' });
    expect(error).toBeNull();
    await until(() => node.events.some((e) => e.type === 'band:event' && e.event.table_name === 'songs'));
    node.close();
  }, 30_000);

  it('drops a session whose refresh the server refuses, and says it expired', async () => {
    const alice = await signedUpClient(shortLived, 'alice');
    const { node, auth } = await signedInThroughBroker(alice);
    // Signed out everywhere from another device: every refresh token of the user is revoked.
    await alice.client.auth.signInWithPassword({ email: alice.email, password: alice.password });
    expect((await alice.client.auth.signOut({ scope: 'global' })).error).toBeNull();
    await until(() => auth.length === 2, 15_000);
    expect(auth[1]).toEqual({ type: 'auth:signed-out', scope: 'profile', reason: 'expired' });
    expect(node.events).toContainEqual({ type: 'session:ended', userId: alice.userId });
    node.close();
  }, 30_000);

  it('never joins with an expired token: after a drop it waits for the auth server rather than be refused', async () => {
    const alice = await signedUpClient(shortLived, 'alice');
    const bandId = await bandWith(alice.client);
    const { node } = await signedInThroughBroker(alice);
    value(await node.broker.watchBand('tab-1', bandId));
    const refusedBefore = shortLived.realtime.metrics().totals.joins_refused_expired_token;
    // The auth server out of reach until the token has expired; then the socket drops.
    await chaos(shortLived, { action: 'refuse', ms: 9_000, scope: 'rest' });
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    await chaos(shortLived, { action: 'drop' });
    const dropped = node.events.length;
    await until(
      () =>
        node.events
          .slice(dropped)
          .some((e) => e.type === 'realtime:state-changed' && e.state.kind === 'connected'),
      20_000,
    );
    expect(shortLived.realtime.metrics().totals.joins_refused_expired_token).toBe(refusedBefore);
    await alice.client.auth.signInWithPassword({ email: alice.email, password: alice.password });
    await alice.client.from('songs').insert({ band_id: bandId, title: 'after the outage' });
    await until(() => node.events.some((e) => e.type === 'band:event' && e.event.table_name === 'songs'));
    node.close();
  }, 40_000);
});
