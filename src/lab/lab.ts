// A page that exposes the Backline client to end-to-end tests and benchmarks as `window.lab`. It
// loads no Supabase client: sign-in and writes go through the broker, as in the app.
// Query: ?transport=auto|shared|tab&storage=local|session&heartbeat=ms&grace=ms&batch=n&ping=ms&
// start=ms (the worker's start deadline)&backoff=ms (the first reconnect's ceiling)&hop (the broker stamps band messages for the bench's hop
// figure: BrokerConfig.hopStamps)
import {
  BacklineClient,
  type ConnectionKind,
  type OutboxEntry,
  type Watch,
  type BandEvent,
  type Write,
} from '../client/index.js';
import { supabaseConfig } from '../config.js';

// Where this page's own code starts (after its imports): the benchmark times tab → live from here too.
performance.mark('page:start');
const params = new URLSearchParams(location.search);
const numberParam = (name: string): number | undefined =>
  params.has(name) ? Number(params.get(name)) : undefined;
const { url, anonKey } = supabaseConfig();

const transport = (params.get('transport') ?? 'auto') as 'auto' | 'shared' | 'tab';
// ?storage=session gives each tab its own session: two users in one profile.
const session = params.get('storage') === 'session' ? 'tab' : 'profile';
const options = { supabaseUrl: url, anonKey, transport, session } as const;
const heartbeatIntervalMs = numberParam('heartbeat');
const graceMs = numberParam('grace');
const outboxBatchSize = numberParam('batch');
const startTimeoutMs = numberParam('start');
const backoffBaseMs = numberParam('backoff');
const backline = await BacklineClient.connect({
  ...options,
  ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
  ...(graceMs === undefined ? {} : { graceMs }),
  ...(outboxBatchSize === undefined ? {} : { outboxBatchSize }),
  ...(backoffBaseMs === undefined ? {} : { backoffBaseMs }),
  ...(params.has('hop') ? { hopStamps: true } : {}),
  pingIntervalMs: numberParam('ping') ?? 2000,
  pingTimeoutMs: 1500,
  ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
});

/** Queues a write and resolves once the server has it (rejects if it was refused). */
async function written(write: Write): Promise<OutboxEntry> {
  const entryId = crypto.randomUUID();
  const done = new Promise<OutboxEntry>((resolve, reject) => {
    const stop = backline.on('outbox:changed', ({ entry, removed }) => {
      if (entry.id !== entryId) return;
      if (entry.status === 'failed' || entry.status === 'conflict') {
        stop();
        reject(new Error(entry.error?.message ?? entry.status));
      } else if (removed) {
        stop();
        resolve(entry);
      }
    });
  });
  await backline.write(write, entryId);
  return done;
}
const watches = new Map<string, Watch>();
/** Each watched band's answer: from issue 16 on it carries the band's rows (`rows.songs`). */
const answers = new Map<string, unknown>();
const events: BandEvent[] = [];
const states: ConnectionKind[] = [];
const notices: string[] = [];
backline.on('band:event', (event) => events.push(event));
backline.on('realtime:state-changed', (state) => states.push(state.kind));
for (const type of ['band:created', 'band:joined', 'band:left', 'session:ended'] as const) {
  backline.on(type, (payload) => notices.push(`${type} ${JSON.stringify(payload)}`));
}
backline.on('auth:changed', ({ user, reason }) => notices.push(`auth:changed ${reason} ${user?.id ?? null}`));

const lab = {
  backline,
  events,
  states,
  notices,
  /** The signed-in user's id (null: signed out; undefined: not read yet). */
  user: () => (backline.currentUser === undefined ? undefined : (backline.currentUser?.id ?? null)),
  mode: () => backline.mode,
  modeReason: () => backline.modeReason,
  generation: () => backline.generation,
  /** How often this tab registered again with a worker that had forgotten it. */
  repairs: () => backline.repairs,
  state: () => backline.state.kind,
  async signIn(email: string, password: string): Promise<string> {
    return (await backline.signIn(email, password)).id;
  },
  signOut: (): Promise<void> => backline.signOut(),
  async watch(bandId: string): Promise<number> {
    const watch = backline.watchBand(bandId);
    watches.set(bandId, watch);
    const live = await watch.live;
    answers.set(bandId, live);
    return live.lastSeq;
  },
  unwatch(bandId: string): void {
    watches.get(bandId)?.unwatch();
    watches.delete(bandId);
    answers.delete(bandId);
  },
  /** A watched band's song titles as its watch answer carried them (`rows.songs`), or null without rows. */
  watchedSongs: (bandId: string): string[] | null => songTitlesIn(answers.get(bandId)),
  async addSong(bandId: string, title: string): Promise<void> {
    await written({ kind: 'song.insert', songId: crypto.randomUUID(), bandId, fields: { title } });
  },
  /** Creates a band (subscribed at once, as in the app) and resolves once the server has it. */
  async createBand(name: string): Promise<string> {
    const bandId = crypto.randomUUID();
    await written({ kind: 'band.create', bandId, name, description: '' });
    return bandId;
  },
  seqs: (bandId: string) => events.filter((e) => e.band_id === bandId).map((e) => e.seq),
};

/** The titles in a watch answer's `rows.songs`, or null when it has none (or not in that shape). */
function songTitlesIn(answer: unknown): string[] | null {
  if (typeof answer !== 'object' || answer === null || !('rows' in answer)) return null;
  const { rows } = answer;
  if (typeof rows !== 'object' || rows === null || !('songs' in rows) || !Array.isArray(rows.songs))
    return null;
  const titles = rows.songs.flatMap((song: unknown) =>
    typeof song === 'object' && song !== null && 'title' in song && typeof song.title === 'string'
      ? [song.title]
      : [],
  );
  return titles.length === rows.songs.length ? titles : null;
}

Object.assign(window, { lab });
document.body.dataset['ready'] = 'true';
