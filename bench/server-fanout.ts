// `npm run bench:server`: many realtime subscribers on one band over loopback, a steady write
// rate, and what each subscriber receives: commit → receive latency, messages lost, backend CPU.
// The backend runs in its own process so its CPU is its own. Options:
//   --sockets 1000 --users 10 --rate 200 --seconds 30
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { percentile } from './stats.js';
import WebSocket from 'ws';
import { JwtKeys } from '../server/auth/jwt.js';
import { DEV_JWT_SECRET } from '../server/config.js';

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '1000' },
    users: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
  },
});
const SOCKETS = Number(values.sockets);
const USERS = Number(values.users);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

interface Endpoint {
  url: string;
  serviceRoleKey: string;
  anonKey: string;
  users: string[];
  bandId: string;
}

/** The backend in a child process, with a generous connection quota for the load. */
async function startBackendProcess(): Promise<{ endpoint: Endpoint; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/backend-process.ts', String(SOCKETS + 50), String(USERS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const endpoint = await new Promise<Endpoint>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Endpoint);
    });
    child.once('exit', (code) => reject(new Error(`backend exited with ${code}`)));
  });
  return { endpoint, stop: () => child.kill('SIGTERM') };
}

async function rest(endpoint: Endpoint, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint.url}${path}`, {
    method: 'POST',
    headers: {
      apikey: endpoint.serviceRoleKey,
      Authorization: `Bearer ${endpoint.serviceRoleKey}`,
      'Content-Type': 'application/json',
      Prefer: 'return=representation',
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

interface Subscriber {
  received: Map<number, number>;
  latencies: number[];
}

function subscribe(endpoint: Endpoint, token: string, bandId: string): Promise<Subscriber> {
  const subscriber: Subscriber = { received: new Map(), latencies: [] };
  const ws = new WebSocket(
    `${endpoint.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${endpoint.anonKey}&vsn=2.0.0`,
  );
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.send(
        JSON.stringify([
          '1',
          '1',
          'realtime:bench',
          'phx_join',
          {
            config: {
              postgres_changes: [
                { event: 'INSERT', schema: 'public', table: 'band_events', filter: `band_id=eq.${bandId}` },
              ],
            },
            access_token: token,
          },
        ]),
      );
      setInterval(() => ws.send(JSON.stringify([null, 'hb', 'phoenix', 'heartbeat', {}])), 20_000).unref();
    });
    ws.on('message', (data: Buffer) => {
      const [, , , event, payload] = JSON.parse(data.toString()) as [
        unknown,
        unknown,
        string,
        string,
        Record<string, unknown>,
      ];
      if (event === 'system' && payload['status'] === 'ok') resolve(subscriber);
      if (event !== 'postgres_changes') return;
      const change = payload['data'] as { commit_timestamp: string; record: { seq: number } };
      const now = Date.now();
      subscriber.received.set(change.record.seq, (subscriber.received.get(change.record.seq) ?? 0) + 1);
      subscriber.latencies.push(now - Date.parse(change.commit_timestamp));
    });
  });
}

async function main(): Promise<void> {
  const { endpoint, stop } = await startBackendProcess();
  try {
    const keys = new JwtKeys(process.env['BACKLINE_JWT_SECRET'] ?? DEV_JWT_SECRET);
    const { users, bandId: band } = endpoint;
    const tokens = await Promise.all(
      users.map((sub) =>
        keys.sign({ role: 'authenticated', sub, aud: 'authenticated' }, Math.floor(Date.now() / 1000) + 3600),
      ),
    );
    const started = Date.now();
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < SOCKETS; i += 50) {
      subscribers.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, SOCKETS - i) }, (_, j) =>
            subscribe(endpoint, tokens[(i + j) % USERS]!, band),
          ),
        )),
      );
    }
    const connectMs = Date.now() - started;
    const before = (await metrics(endpoint)).process;

    let written = 0;
    const deadline = Date.now() + SECONDS * 1000;
    const tickMs = 50;
    const perTick = (RATE * tickMs) / 1000;
    let owed = 0;
    while (Date.now() < deadline) {
      const tick = Date.now();
      owed += perTick;
      const batch = Math.floor(owed);
      owed -= batch;
      await Promise.all(
        Array.from({ length: batch }, () =>
          rest(endpoint, '/rest/v1/songs', { band_id: band, title: `w${written++}` }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - tick))));
    }
    const writeSeconds = (Date.now() - deadline + SECONDS * 1000) / 1000;
    // Let the last changes arrive.
    const expected = written;
    const settleBy = Date.now() + 15_000;
    while (Date.now() < settleBy && subscribers.some((s) => s.received.size < expected)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const after = (await metrics(endpoint)).process;
    const latencies = subscribers.flatMap((s) => s.latencies).sort((a, b) => a - b);
    const lost = subscribers.reduce((n, s) => n + Math.max(0, expected - s.received.size), 0);
    const duplicated = subscribers.reduce(
      (n, s) => n + [...s.received.values()].filter((c) => c > 1).length,
      0,
    );
    const cpuMs = after.cpu_user_ms + after.cpu_system_ms - before.cpu_user_ms - before.cpu_system_ms;
    const result = {
      date: new Date().toISOString(),
      environment: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length },
      config: { sockets: SOCKETS, users: USERS, rate: RATE, seconds: SECONDS },
      connect_ms: connectMs,
      writes: written,
      achieved_write_rate: Math.round(written / writeSeconds),
      deliveries_expected: expected * SOCKETS,
      deliveries: latencies.length,
      lost,
      duplicated,
      latency_ms: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? NaN,
      },
      backend_cpu: {
        ms: cpuMs,
        cores_used: Number((cpuMs / (writeSeconds * 1000)).toFixed(2)),
        rss_mb: Math.round(after.rss_bytes / 1e6),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    const day = result.date.slice(0, 10);
    await mkdir('bench/results', { recursive: true });
    await writeFile(
      `bench/results/${day}-server-fanout-${SOCKETS}.json`,
      JSON.stringify(result, null, 2) + '\n',
    );
    await writeFile(
      `bench/results/${day}-server-fanout-${SOCKETS}.md`,
      `# Server fan-out, ${result.date}\n\n` +
        `${SOCKETS} sockets (${USERS} users, so ${USERS} RLS checks per change), one band, ${RATE} writes/s for ${SECONDS} s, loopback; ` +
        `Node ${process.version}, ${result.environment.cores} × ${result.environment.cpu}.\n\n` +
        `| writes | achieved rate | deliveries | lost | duplicated | commit→receive p50 | p99 | max | backend CPU (cores) |\n` +
        `|---|---|---|---|---|---|---|---|---|\n` +
        `| ${written} | ${result.achieved_write_rate}/s | ${result.deliveries} | ${lost} | ${duplicated} | ${result.latency_ms.p50} ms | ${result.latency_ms.p99} ms | ${result.latency_ms.max} ms | ${result.backend_cpu.cores_used} |\n`,
    );
  } finally {
    stop();
  }
  process.exit(0);
}

async function metrics(
  endpoint: Endpoint,
): Promise<{ process: { cpu_user_ms: number; cpu_system_ms: number; rss_bytes: number } }> {
  const response = await fetch(`${endpoint.url}/admin/v1/metrics`, {
    headers: { apikey: endpoint.serviceRoleKey },
  });
  return (await response.json()) as {
    process: { cpu_user_ms: number; cpu_system_ms: number; rss_bytes: number };
  };
}

await main();
