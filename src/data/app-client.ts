// The Supabase pieces a tab needs: auth (the tab owns the session) and REST. Not supabase-js's
// createClient: that also builds a realtime client, which in shared mode lives in the worker
// only. Requests carry the current session's token, as supabase-js's own fetch wrapper does.
import { GoTrueClient } from '@supabase/auth-js';
import { PostgrestClient } from '@supabase/postgrest-js';
import { TAB_SESSION_KEY } from '../../contract/names.js';
import type { Database } from '../../contract/schema.js';

export interface AppClient {
  auth: GoTrueClient;
  db: PostgrestClient<Database>;
}

export function createAppClient(url: string, anonKey: string, storage: Storage = localStorage): AppClient {
  const auth = new GoTrueClient({
    url: `${url}/auth/v1`,
    headers: { apikey: anonKey, Authorization: `Bearer ${anonKey}` },
    storageKey: storageKey(url, storage),
    storage,
    autoRefreshToken: true,
    persistSession: true,
    detectSessionInUrl: false,
  });
  const fetchWithSession: typeof fetch = async (input, init) => {
    const token = (await auth.getSession()).data.session?.access_token ?? anonKey;
    const headers = new Headers(init?.headers);
    headers.set('apikey', anonKey);
    headers.set('Authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const db = new PostgrestClient<Database>(`${url}/rest/v1`, {
    headers: { apikey: anonKey },
    fetch: fetchWithSession,
  });
  return { auth, db };
}

/**
 * The key supabase-js uses, so a session survives switching between the two clients. With a
 * session per tab (sessionStorage: two people in one profile) the key is per tab too: auth-js
 * announces sign-ins on a BroadcastChannel named after it, and one user's sign-in must not reach
 * another user's tab.
 */
function storageKey(url: string, storage: Storage): string {
  const base = `sb-${new URL(url).hostname.split('.')[0]}-auth-token`;
  if (typeof sessionStorage === 'undefined' || storage !== sessionStorage) return base;
  let tab = sessionStorage.getItem(TAB_SESSION_KEY);
  if (!tab) sessionStorage.setItem(TAB_SESSION_KEY, (tab = crypto.randomUUID()));
  return `${base}:${tab}`;
}
