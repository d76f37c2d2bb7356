// Starts the backend child process and prepares the benchmark's band: a writer (its admin) and a
// reader (a member) whose session every tab of every mode shares.
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

export interface BenchBand {
  bandId: string;
  reader: { userId: string; session: Session };
  writer: { userId: string; accessToken: string };
  /** The reader's client in Node: reads the committed log. */
  readerClient: SupabaseClient<Database>;
}

export async function startBenchBackend(): Promise<BenchBackend> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./backend-child.ts', import.meta.url).pathname],
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

async function signUp(backend: BenchBackend, name: string) {
  const client = nodeClient(backend);
  const { data, error } = await client.auth.signUp({
    email: `${name}-${process.pid}-${Date.now()}@example.com`,
    password: 'bench password',
  });
  if (error || !data.session || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
  return { client, userId: data.user.id, session: data.session };
}

export async function prepareBand(backend: BenchBackend): Promise<BenchBand> {
  const writer = await signUp(backend, 'bench-writer');
  const reader = await signUp(backend, 'bench-reader');
  const band = await writer.client.rpc('create_band', { name: 'Bench', description: '' });
  if (band.error) throw new Error(band.error.message);
  const invite = await writer.client.rpc('create_invite', { band_id: band.data.id });
  if (invite.error) throw new Error(invite.error.message);
  const joined = await reader.client.rpc('join_band', { code: invite.data.code });
  if (joined.error) throw new Error(joined.error.message);
  return {
    bandId: band.data.id,
    reader: { userId: reader.userId, session: reader.session },
    writer: { userId: writer.userId, accessToken: writer.session.access_token },
    readerClient: reader.client,
  };
}
