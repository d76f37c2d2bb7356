// /auth/v1 through the unmodified supabase-js auth client.
import { describe, expect, it } from 'vitest';
import { client, signedUpClient, startTestBackend } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';

const backend = useBackend();

describe('auth', () => {
  it('signs a new user up and in at once, with a JWT that carries sub, role and exp', async () => {
    const supabase = client(backend);
    const { data, error } = await supabase.auth.signUp({
      email: 'New.Person@Example.com',
      password: 'hunter22',
      options: { data: { display_name: 'New' } },
    });
    expect(error).toBeNull();
    expect(data.user?.email).toBe('new.person@example.com');
    expect(data.user?.user_metadata).toEqual({ display_name: 'New' });
    const claims = JSON.parse(
      Buffer.from(data.session!.access_token.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: data.user!.id, role: 'authenticated', aud: 'authenticated' });
    expect(claims['exp']).toBe(data.session!.expires_at);
  });

  it('refuses a second sign-up with the same email', async () => {
    const { email } = await signedUpClient(backend);
    const { error } = await client(backend).auth.signUp({ email, password: 'another-pass' });
    expect(error?.code).toBe('user_already_exists');
    expect(error?.status).toBe(422);
  });

  it('refuses a weak password with the reasons GoTrue gives', async () => {
    const { error } = await client(backend).auth.signUp({ email: 'weak@example.com', password: '123' });
    expect(error?.code).toBe('weak_password');
    expect(error?.name).toBe('AuthWeakPasswordError');
  });

  it('signs in with the right password and refuses a wrong one', async () => {
    const { email, password } = await signedUpClient(backend);
    const ok = await client(backend).auth.signInWithPassword({ email, password });
    expect(ok.error).toBeNull();
    expect(ok.data.user?.email).toBe(email);
    const wrong = await client(backend).auth.signInWithPassword({ email, password: 'not the password' });
    expect(wrong.error?.code).toBe('invalid_credentials');
    expect(wrong.error?.status).toBe(400);
    expect(wrong.data.session).toBeNull();
  });

  it('never stores the password itself', async () => {
    const { userId, password } = await signedUpClient(backend);
    const row = await backend.db.pg.query<{ encrypted_password: string }>(
      'select encrypted_password from auth.users where id = $1',
      [userId],
    );
    const stored = row.rows[0]!.encrypted_password;
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain(password);
  });

  it('returns the signed-in user from getUser', async () => {
    const { client: supabase, userId } = await signedUpClient(backend);
    const { data, error } = await supabase.auth.getUser();
    expect(error).toBeNull();
    expect(data.user?.id).toBe(userId);
  });

  it('rotates the refresh token on refresh, and the new access token works', async () => {
    const { client: supabase, userId } = await signedUpClient(backend);
    const before = (await supabase.auth.getSession()).data.session!;
    const { data, error } = await supabase.auth.refreshSession();
    expect(error).toBeNull();
    expect(data.session?.refresh_token).not.toBe(before.refresh_token);
    expect(data.session?.user.id).toBe(userId);
    const me = await supabase.auth.getUser(data.session!.access_token);
    expect(me.data.user?.id).toBe(userId);
  });

  it('treats a rotated refresh token used again after the reuse window as stolen and ends the session', async () => {
    const strict = await startTestBackend({ refreshReuseSeconds: 0 });
    try {
      const { client: supabase } = await signedUpClient(strict);
      const first = (await supabase.auth.getSession()).data.session!;
      await supabase.auth.refreshSession();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const replay = await client(strict).auth.refreshSession({ refresh_token: first.refresh_token });
      expect(replay.error?.code).toBe('refresh_token_already_used');
      const current = (await supabase.auth.getSession()).data.session!;
      const afterTheft = await client(strict).auth.refreshSession({ refresh_token: current.refresh_token });
      expect(afterTheft.error?.code).toBe('refresh_token_not_found');
    } finally {
      await strict.close();
    }
  });

  it('signs out: the refresh token and the session stop working', async () => {
    const { client: supabase } = await signedUpClient(backend);
    const session = (await supabase.auth.getSession()).data.session!;
    expect((await supabase.auth.signOut()).error).toBeNull();
    const refreshed = await client(backend).auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refreshed.error?.code).toBe('refresh_token_not_found');
    const me = await client(backend).auth.getUser(session.access_token);
    expect(me.data.user).toBeNull();
    expect(me.error?.name).toBe('AuthSessionMissingError');
  });

  it('issues access tokens that expire after the configured lifetime', async () => {
    const shortLived = await startTestBackend({ accessTokenTtlSeconds: 1 });
    try {
      const { client: supabase } = await signedUpClient(shortLived);
      const token = (await supabase.auth.getSession()).data.session!.access_token;
      expect((await supabase.auth.getUser(token)).error).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const expired = await supabase.auth.getUser(token);
      expect(expired.error?.status).toBe(403);
      expect(expired.error?.message).toMatch(/expired/);
    } finally {
      await shortLived.close();
    }
  });
});
