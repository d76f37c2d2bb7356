// Test harness: a real local backend per test file, and unmodified supabase-js clients for it.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { startBackend, type Backend } from '../../server/backend.js';
import type { BackendOptions } from '../../server/config.js';
import type { Band, BandMembership, Database, Song } from '../../contract/schema.js';

export type { Backend };

export function startTestBackend(options: Partial<BackendOptions> = {}): Promise<Backend> {
  return startBackend({ port: 0, host: '127.0.0.1', ...options });
}

/** supabase-js as an app would create it in Node (ws as the WebSocket, no session storage). */
export type Client = SupabaseClient<Database>;

/** Where a backend answers: a Backend in this process, or one in its own (backend-process.ts). */
export type BackendAddress = Pick<Backend, 'url' | 'anonKey'>;

export function client(backend: BackendAddress, key: string = backend.anonKey): Client {
  return createClient<Database>(backend.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket.
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
}

let counter = 0;
/** A new user, signed in on their own client. */
export async function signedUpClient(
  backend: BackendAddress,
  name = 'user',
): Promise<{ client: Client; userId: string; email: string; password: string }> {
  const email = `${name}-${process.pid}-${++counter}@example.com`;
  const password = 'correct horse battery';
  const supabase = client(backend);
  const { data, error } = await supabase.auth.signUp({ email, password });
  if (error || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
  return { client: supabase, userId: data.user.id, email, password };
}

/** A band created by `owner`, with `members` joined through an invite code. */
export async function bandWith(owner: Client, members: Client[] = [], name = 'Band'): Promise<string> {
  const band = await owner.rpc('create_band', { name, description: '' });
  if (band.error) throw new Error(`create_band failed: ${band.error.message}`);
  const bandId = band.data.id;
  for (const member of members) {
    const invite = await owner.rpc('create_invite', { band_id: bandId });
    if (invite.error) throw new Error(`create_invite failed: ${invite.error.message}`);
    const joined = await member.rpc('join_band', { code: invite.data.code });
    if (joined.error) throw new Error(`join_band failed: ${joined.error.message}`);
  }
  return bandId;
}

/** Every seq of a band's log after `after`, as the database has it: what every view must end up with. */
export async function logSeqs(reader: Client, bandId: string, after: number): Promise<number[]> {
  const { data, error } = await reader
    .from('band_events')
    .select('seq')
    .eq('band_id', bandId)
    .gt('seq', after)
    .order('seq');
  if (error) throw new Error(error.message);
  return data.map((row) => row.seq);
}

/**
 * A band's rows as the database has them, read table by table: members by joined_at and songs by
 * created_at (ties by id, soft-deleted included), the order band_snapshot and the broker use.
 */
export async function bandRowsOf(
  reader: Client,
  bandId: string,
): Promise<{ band: Band; members: BandMembership[]; songs: Song[] }> {
  const band = await reader.from('bands').select('*').eq('id', bandId).single();
  const members = await reader
    .from('band_memberships')
    .select('*')
    .eq('band_id', bandId)
    .order('joined_at')
    .order('user_id');
  const songs = await reader.from('songs').select('*').eq('band_id', bandId).order('created_at').order('id');
  if (band.error || members.error || songs.error)
    throw new Error(`reading band ${bandId}: ${(band.error ?? members.error ?? songs.error)!.message}`);
  return { band: band.data, members: members.data, songs: songs.data };
}

/** Polls until `check` holds; for conditions no event announces. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
