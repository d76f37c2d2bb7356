// Starts the backend child process and prepares the benchmark's users, a writer and a reader whose
// session every tab of a profile shares, and a band per cell: the writer its admin, the reader a
// member, and the same number of songs in it, so every cell opens a band of the same size.
import { spawn } from 'node:child_process';
import { createClient, type Session, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { Database } from '../../contract/schema.js';

export interface BenchBackend {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  stop(): Promise<void>;
}

export interface BenchUsers {
  reader: { userId: string; email: string; session: Session };
  writer: { userId: string; accessToken: string };
  /** The reader's client in Node: reads the committed log. */
  readerClient: SupabaseClient<Database>;
  writerClient: SupabaseClient<Database>;
}

export interface BenchBand extends BenchUsers {
  bandId: string;
  /** Songs the band holds before the cell's first tab opens: what "songs on screen" shows. */
  songs: number;
}

/** `tokenTtlSeconds`: the access tokens' lifetime (the backend's default, an hour, if omitted). */
export async function startBenchBackend(tokenTtlSeconds?: number): Promise<BenchBackend> {
  const ttl = tokenTtlSeconds === undefined ? [] : [String(tokenTtlSeconds)];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./backend-child.ts', import.meta.url).pathname, ...ttl],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const endpoint = await new Promise<{ url: string; anonKey: string; serviceRoleKey: string }>(
      (resolve, reject) => {
        let buffer = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const line = buffer.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line) as { url: string; anonKey: string; serviceRoleKey: string });
        });
        child.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
      },
    );
    return { ...endpoint, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const nodeClient = (backend: BenchBackend): SupabaseClient<Database> =>
  createClient<Database>(backend.url, backend.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });

export const BENCH_PASSWORD = 'bench password';
let signUps = 0;
async function signUp(backend: BenchBackend, name: string) {
  const client = nodeClient(backend);
  // Profiles of the token-refresh figure sign up at once: the count keeps their emails apart.
  const email = `${name}-${process.pid}-${Date.now()}-${++signUps}@example.com`;
  const { data, error } = await client.auth.signUp({ email, password: BENCH_PASSWORD });
  if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
  return { client, userId: data.user.id, email, session: data.session };
}

/**
 * A new session for a user, on a client that makes no other request. A client that goes on
 * using its session refreshes it once the token is near its end (any request, with a short token
 * lifetime), and a tab seeded with the spent refresh token would then be signed out.
 */
export async function freshSession(backend: BenchBackend, email: string): Promise<Session> {
  const { data, error } = await nodeClient(backend).auth.signInWithPassword({
    email,
    password: BENCH_PASSWORD,
  });
  if (error || !data.session) throw new Error(`sign-in failed: ${error?.message}`);
  return data.session;
}

export async function prepareUsers(backend: BenchBackend): Promise<BenchUsers> {
  const writer = await signUp(backend, 'bench-writer');
  const reader = await signUp(backend, 'bench-reader');
  return {
    reader: { userId: reader.userId, email: reader.email, session: reader.session },
    writer: { userId: writer.userId, accessToken: writer.session.access_token },
    readerClient: reader.client,
    writerClient: writer.client,
  };
}

/** The title of the band's `i`-th song (from 0) as prepareBand writes them. */
export const songTitle = (i: number): string => `setlist ${i + 1}`;

/** A new band with `songs` songs ("setlist 1", …) in it, written in one request. */
export async function prepareBand(users: BenchUsers, songs: number): Promise<BenchBand> {
  const band = await users.writerClient.rpc('create_band', { name: 'Bench', description: '' });
  if (band.error) throw new Error(band.error.message);
  const invite = await users.writerClient.rpc('create_invite', { band_id: band.data.id });
  if (invite.error) throw new Error(invite.error.message);
  const joined = await users.readerClient.rpc('join_band', { code: invite.data.code });
  if (joined.error) throw new Error(joined.error.message);
  if (songs > 0) {
    const rows = Array.from({ length: songs }, (_, i) => ({ band_id: band.data.id, title: songTitle(i) }));
    const inserted = await users.writerClient.from('songs').insert(rows);
    if (inserted.error) throw new Error(inserted.error.message);
  }
  return { ...users, bandId: band.data.id, songs };
}
