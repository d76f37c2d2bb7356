// The local backend in a process of its own, on a data directory, so a test can kill it (SIGKILL,
// as a crash would) and start it again on the same port and data: what a backend restart looks
// like to every client. Started by the tests and benchmarks that need it, torn down after.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(import.meta.dirname, '../..');

export interface BackendProcess {
  readonly url: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  /** Ends the process as a crash would: no close, no goodbye to any socket. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it (if running) and removes its data. */
  close(): Promise<void>;
}

export interface BackendProcessOptions {
  /** Extra environment: BACKLINE_TOKEN_TTL and the like (server/config.ts). */
  env?: Record<string, string>;
  /** Demo users and bands (server/demo-seed.ts) at the first start. */
  demo?: boolean;
}

export async function spawnBackend({
  env = {},
  demo = false,
}: BackendProcessOptions = {}): Promise<BackendProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'backline-data-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let keys = { url: '', anonKey: '', serviceRoleKey: '' };
  const start = async (seed: boolean): Promise<void> => {
    const started = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', '--data-dir', dataDir, ...(seed ? ['--demo'] : [])],
      {
        cwd: root,
        env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child = started;
    keys = await announced(started);
  };
  await start(demo);
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((done) => running.once('exit', done));
    running.kill('SIGKILL');
    await exited;
  };
  return {
    get url() {
      return keys.url;
    },
    get anonKey() {
      return keys.anonKey;
    },
    get serviceRoleKey() {
      return keys.serviceRoleKey;
    },
    kill,
    start: () => start(false),
    async close() {
      await kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The URL and keys the backend prints once it listens (server/main.ts). */
function announced(child: ChildProcess): Promise<{ url: string; anonKey: string; serviceRoleKey: string }> {
  return new Promise((resolve, reject) => {
    const found: Record<string, string> = {};
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the backend did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the backend exited with ${code} before it listened`)));
    lines.on('line', (line) => {
      const match = /^(?:Backline local backend|\s+(anon key|service_role key))\s+(\S+)$/.exec(line);
      if (!match) return;
      found[match[1] ?? 'url'] = match[2]!;
      if (found['url'] && found['anon key'] && found['service_role key']) {
        clearTimeout(timer);
        resolve({ url: found['url'], anonKey: found['anon key'], serviceRoleKey: found['service_role key'] });
      }
    });
  });
}

/** A port nothing listens on now (127.0.0.1), for a backend that must come back on the same one. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
