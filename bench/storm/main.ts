// `npm run bench:storm`: the reconnect storm after a backend restart, Backline against plain
// supabase-js per tab, in one run on one backend. P profiles of 2 tabs each watch one band; the
// backend is killed (SIGKILL) and started again on the same data; the server counts socket
// upgrades and joins asked for, sampled every 100 ms, and every tab's events after the restart
// are checked against the band's log.
//   Backline: one broker per profile (the real broker and client in Node, as test/support/
//   node-client.ts runs them), its product backoff (full jitter, 1 s doubling) and join budget.
//   Plain supabase-js: one client per tab, realtime-js's own reconnect (1, 2, 5, 10 s steps, no
//   jitter) and rejoin, no catch-up.
// Flags: --profiles P (default 50) --out DIR (default bench/results) --writes N (default 20).
// Runs in Node, not Chromium: what the server sees of a reconnect is the same, and 100 pages
// would measure the machine rather than the storm.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REALTIME_SUBSCRIBE_STATES, createClient, type RealtimeChannel } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { BacklineClient } from '../../src/client/backline.js';
import { DEFAULT_BACKOFF } from '../../worker/core/backoff.js';
import { DEFAULT_HEARTBEAT_MS } from '../../worker/connection.js';
import { metrics } from '../../test/support/admin.js';
import { bandWith, logSeqs, signedUpClient, type Client } from '../../test/support/backend.js';
import { spawnBackend, type BackendProcess } from '../../test/support/backend-process.js';
import { nodeProfile, type NodeProfile } from '../../test/support/node-client.js';

const { values } = parseArgs({
  options: {
    profiles: { type: 'string', default: '50' },
    writes: { type: 'string', default: '20' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../results') },
  },
});
const PROFILES = Number(values.profiles);
const WRITES = Number(values.writes);
const SAMPLE_MS = 100;

interface User {
  client: Client;
  userId: string;
  session: { userId: string; accessToken: string };
  token: string;
  refreshToken: string;
}

/** One mode's tabs: how to tell they are all live, and each tab's band seqs. */
interface Fleet {
  name: string;
  live(): boolean;
  seqs(): number[][];
  close(): void;
}

interface Sample {
  at: number;
  connects: number;
  joins: number;
}

interface StormResult {
  mode: string;
  profiles: number;
  tabs: number;
  /** From the restarted backend listening to every tab live again. */
  all_live_ms: number | null;
  connects_total: number;
  joins_total: number;
  connects_peak_1s: number;
  joins_peak_1s: number;
  connects_p99_1s: number;
  joins_p99_1s: number;
  /** Events after the restart (writes made once it was back) that some tab never delivered. */
  events_lost: number;
  events_duplicated: number;
}

async function main(): Promise<void> {
  const backend = await spawnBackend();
  try {
    const users = await signUp(backend, PROFILES);
    const owner = users[0]!;
    const bandId = await bandWith(
      owner.client,
      users.slice(1).map((u) => u.client),
      'Storm',
    );
    const results: StormResult[] = [];
    results.push(await storm(backend, bandId, owner, await backlineFleet(backend, users, bandId)));
    results.push(await storm(backend, bandId, owner, await supabaseFleet(backend, users, bandId)));
    const stamp = new Date().toISOString().slice(0, 10);
    await mkdir(values.out, { recursive: true });
    const file = join(values.out, `${stamp}-storm.json`);
    await writeFile(file, JSON.stringify({ profiles: PROFILES, writes: WRITES, results }, null, 2));
    console.log(table(results));
    console.log(`\nwritten: ${file}`);
  } finally {
    await backend.close();
  }
}

async function signUp(backend: BackendProcess, count: number): Promise<User[]> {
  const users: User[] = [];
  for (let i = 0; i < count; i++) {
    const user = await signedUpClient(backend, `storm${i}`);
    const { access_token: token, refresh_token: refreshToken } = (await user.client.auth.getSession()).data
      .session!;
    users.push({ ...user, token, refreshToken, session: { userId: user.userId, accessToken: token } });
  }
  return users;
}

async function backlineFleet(backend: BackendProcess, users: User[], bandId: string): Promise<Fleet> {
  const profiles: NodeProfile[] = [];
  const tabs: { client: BacklineClient; seqs: number[] }[] = [];
  for (const user of users) {
    const profile = nodeProfile(backend, { policy: DEFAULT_BACKOFF });
    profiles.push(profile);
    for (let t = 0; t < 2; t++) {
      const client = await profile.openTab(user.session, {
        heartbeatIntervalMs: DEFAULT_HEARTBEAT_MS,
        pingIntervalMs: 5000,
      });
      const seqs: number[] = [];
      client.on('band:event', (event) => {
        if (event.band_id === bandId) seqs.push(event.seq);
      });
      await client.watchBand(bandId).live;
      tabs.push({ client, seqs });
    }
  }
  return {
    name: 'backline (one broker per profile)',
    live: () => tabs.every((tab) => tab.client.state.kind === 'connected'),
    seqs: () => tabs.map((tab) => tab.seqs),
    close: () => profiles.forEach((profile) => profile.close()),
  };
}

async function supabaseFleet(backend: BackendProcess, users: User[], bandId: string): Promise<Fleet> {
  const tabs: { channel: RealtimeChannel; seqs: number[]; close: () => void }[] = [];
  for (const user of users) {
    for (let t = 0; t < 2; t++) {
      // As an app on plain supabase-js has it: realtime-js reconnects and rejoins by itself.
      const supabase = createClient(backend.url, backend.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
      });
      // Signed in as an app is: realtime-js takes the session's token at every (re)join.
      const { error } = await supabase.auth.setSession({
        access_token: user.token,
        refresh_token: user.refreshToken,
      });
      if (error) throw new Error(error.message);
      const seqs: number[] = [];
      const channel = supabase
        .channel(`band-${bandId}`)
        .on(
          'postgres_changes',
          { event: 'INSERT', schema: 'public', table: 'band_events', filter: `band_id=eq.${bandId}` },
          (payload: { new: { seq: number } }) => seqs.push(payload.new.seq),
        );
      await new Promise<void>((done, fail) =>
        channel.subscribe((status) => {
          if (status === REALTIME_SUBSCRIBE_STATES.SUBSCRIBED) done();
          else if (status !== REALTIME_SUBSCRIBE_STATES.CLOSED) fail(new Error(status));
        }),
      );
      tabs.push({ channel, seqs, close: () => void supabase.removeAllChannels() });
    }
  }
  return {
    name: 'supabase-js per tab (1, 2, 5, 10 s steps)',
    live: () => tabs.every((tab) => tab.channel.state === 'joined'),
    seqs: () => tabs.map((tab) => tab.seqs),
    close: () => tabs.forEach((tab) => tab.close()),
  };
}

async function storm(
  backend: BackendProcess,
  bandId: string,
  writer: User,
  fleet: Fleet,
): Promise<StormResult> {
  const tabs = fleet.seqs().length;
  await backend.kill();
  await backend.start();
  const back = Date.now();
  const sample = async (): Promise<Sample> => {
    const { totals } = await metrics(backend);
    return { at: Date.now(), connects: totals.connects, joins: totals.joins };
  };
  // The counters as the backend came back, before the first reconnect could count.
  const samples: Sample[] = [await sample()];
  let allLive: number | null = null;
  const sampler = setInterval(() => {
    void sample().then(
      (s) => samples.push(s),
      () => undefined,
    );
    if (allLive === null && fleet.live()) allLive = Date.now() - back;
  }, SAMPLE_MS);
  const [head] = (await logSeqs(writer.client, bandId, 0)).slice(-1);
  const before = fleet.seqs().map((seqs) => seqs.length);
  // Writes from the moment the backend is back: a tab not yet rejoined must still get them.
  for (let i = 0; i < WRITES; i++) {
    const { error } = await writer.client.from('songs').insert({ band_id: bandId, title: `storm ${i}` });
    if (error) throw new Error(error.message);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && (allLive === null || Date.now() - back < (allLive as number) + 10_000))
    await new Promise((resolve) => setTimeout(resolve, 250));
  // Settled: what each tab has now is what it will have.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  clearInterval(sampler);
  const log = await logSeqs(writer.client, bandId, head ?? 0);
  let lost = 0;
  let duplicated = 0;
  fleet.seqs().forEach((seqs, i) => {
    const after = seqs.slice(before[i]).filter((seq) => seq > (head ?? 0));
    const seen = new Set(after);
    duplicated += after.length - seen.size;
    lost += log.filter((seq) => !seen.has(seq)).length;
  });
  fleet.close();
  const windows = (key: 'connects' | 'joins'): number[] => oneSecondWindows(samples, key);
  return {
    mode: fleet.name,
    profiles: PROFILES,
    tabs,
    all_live_ms: allLive,
    connects_total: span(samples, 'connects'),
    joins_total: span(samples, 'joins'),
    connects_peak_1s: Math.max(0, ...windows('connects')),
    joins_peak_1s: Math.max(0, ...windows('joins')),
    connects_p99_1s: percentile(windows('connects'), 0.99),
    joins_p99_1s: percentile(windows('joins'), 0.99),
    events_lost: lost,
    events_duplicated: duplicated,
  };
}

/** The counter's growth in every one-second window that starts at a sample. */
function oneSecondWindows(samples: Sample[], key: 'connects' | 'joins'): number[] {
  return samples.flatMap((start, i) => {
    const end = samples.slice(i).findLast((s) => s.at - start.at <= 1000);
    return end && end !== start ? [end[key] - start[key]] : [];
  });
}

function span(samples: Sample[], key: 'connects' | 'joins'): number {
  return samples.length < 2 ? 0 : samples.at(-1)![key] - samples[0]![key];
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function table(results: StormResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.mode} | ${r.tabs} | ${r.connects_peak_1s} / ${r.connects_p99_1s} | ${r.joins_peak_1s} / ${r.joins_p99_1s} | ${r.connects_total} / ${r.joins_total} | ${r.all_live_ms ?? 'never'} | ${r.events_lost} | ${r.events_duplicated} |`,
  );
  return [
    `${PROFILES} profiles × 2 tabs, backend SIGKILLed and restarted on its data; ${WRITES} writes after the restart`,
    '',
    '| mode | tabs | connects/s peak / p99 | joins/s peak / p99 | connects / joins in all | all live (ms after restart) | events lost | duplicated |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

await main();
