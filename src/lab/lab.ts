// A page that exposes the Backline client to end-to-end tests and benchmarks as `window.lab`.
// Query: ?transport=auto|shared|tab&storage=local|session&heartbeat=ms&grace=ms&batch=n
import {
  BacklineClient,
  bindSupabaseAuth,
  type ConnectionKind,
  type Watch,
  type BandEvent,
} from '../client/index.js';
import { supabaseConfig } from '../config.js';
import { createAppClient } from '../data/app-client.js';

// Where this page's own code starts (after its imports): the benchmark times tab → live from here too.
performance.mark('page:start');
const params = new URLSearchParams(location.search);
const numberParam = (name: string): number | undefined =>
  params.has(name) ? Number(params.get(name)) : undefined;
const { url, anonKey } = supabaseConfig();

// Session storage gives each tab its own user: two users in one profile.
const supabase = createAppClient(
  url,
  anonKey,
  params.get('storage') === 'session' ? sessionStorage : localStorage,
);

const transport = (params.get('transport') ?? 'auto') as 'auto' | 'shared' | 'tab';
const options = { supabaseUrl: url, anonKey, transport };
const heartbeatIntervalMs = numberParam('heartbeat');
const graceMs = numberParam('grace');
const outboxBatchSize = numberParam('batch');
const backline = await BacklineClient.connect({
  ...options,
  ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
  ...(graceMs === undefined ? {} : { graceMs }),
  ...(outboxBatchSize === undefined ? {} : { outboxBatchSize }),
  pingIntervalMs: numberParam('ping') ?? 2000,
  pingTimeoutMs: 1500,
});
bindSupabaseAuth(backline, supabase);

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

const lab = {
  supabase,
  backline,
  events,
  states,
  notices,
  mode: () => backline.mode,
  generation: () => backline.generation,
  state: () => backline.state.kind,
  async signIn(email: string, password: string): Promise<string> {
    const { data, error } = await supabase.auth.signInWithPassword({ email, password });
    if (error) throw error;
    await backline.setSession({ userId: data.user.id, accessToken: data.session.access_token });
    return data.user.id;
  },
  async signOut(): Promise<void> {
    await supabase.auth.signOut();
    await backline.setSession(null);
  },
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
  /** A watched band's song titles: from its watch answer when that carries rows, else read over REST. */
  async songs(bandId: string): Promise<{ source: 'watch' | 'rest'; titles: string[] }> {
    const fromWatch = songTitlesIn(answers.get(bandId));
    if (fromWatch) return { source: 'watch', titles: fromWatch };
    const { data, error } = await supabase.db.from('songs').select('*').eq('band_id', bandId);
    if (error) throw new Error(error.message);
    return { source: 'rest', titles: data.map((song) => song.title) };
  },
  async addSong(bandId: string, title: string): Promise<void> {
    const { error } = await supabase.db.from('songs').insert({ band_id: bandId, title });
    if (error) throw new Error(error.message);
  },
  /** Creates a band and tells the broker at once, as the app does. */
  async createBand(name: string): Promise<string> {
    const { data, error } = await supabase.db.rpc('create_band', { name, description: '' });
    if (error) throw new Error(error.message);
    await backline.bandAdded(data.id);
    return data.id;
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
