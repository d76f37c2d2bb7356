// The app's long-lived services, made once per page: the Supabase client (the tab owns the
// session), the Backline client (the shared socket), the outbox as the page shows it, and the
// toast queue.
import { BacklineClient, bindSupabaseAuth, type BacklineOptions } from '../client/index.js';
import { supabaseConfig } from '../config.js';
import { createAppClient, type AppClient } from '../data/app-client.js';
import { OutboxView } from './outbox-view.js';
import { ToastQueue, type Toast, type ToastRequest } from './state/toast-queue.js';

export type Supabase = AppClient;

export class ToastService {
  private readonly queue = new ToastQueue();
  private readonly listeners = new Set<(toasts: readonly Toast[]) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  show(request: ToastRequest): void {
    this.queue.push(request, Date.now());
    this.changed();
  }

  dismiss(id: number): void {
    this.queue.dismiss(id);
    this.changed();
  }

  dismissKey(key: string): void {
    this.queue.dismissKey(key);
    this.changed();
  }

  subscribe(listener: (toasts: readonly Toast[]) => void): () => void {
    this.listeners.add(listener);
    listener(this.queue.visible);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.queue.expire(Date.now());
    for (const listener of this.listeners) listener(this.queue.visible);
    clearTimeout(this.timer);
    const next = this.queue.nextExpiry();
    if (next !== undefined) this.timer = setTimeout(() => this.changed(), Math.max(0, next - Date.now()));
  }
}

export interface Services {
  supabase: Supabase;
  backline: BacklineClient;
  /** The one view of this user's outbox every component reads. */
  outbox: OutboxView;
  toasts: ToastService;
}

/** Test and support knobs in the URL: ?heartbeat=ms&retries=n&backoff=ms (validated by the broker). */
function tuning(
  params: URLSearchParams,
): Pick<BacklineOptions, 'heartbeatIntervalMs' | 'maxAttempts' | 'backoffBaseMs'> {
  const number = (name: string): number | undefined =>
    params.has(name) ? Number(params.get(name)) : undefined;
  const [heartbeatIntervalMs, maxAttempts, backoffBaseMs] = [
    number('heartbeat'),
    number('retries'),
    number('backoff'),
  ];
  return {
    ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    ...(backoffBaseMs === undefined ? {} : { backoffBaseMs }),
  };
}

export async function createServices(): Promise<Services> {
  const { url, anonKey } = supabaseConfig();
  const params = new URLSearchParams(location.search);
  // ?session=tab keeps the session per tab: two users in one browser profile.
  const supabase = createAppClient(
    url,
    anonKey,
    params.get('session') === 'tab' ? sessionStorage : localStorage,
  );
  const transport = params.get('transport');
  const backline = await BacklineClient.connect({
    supabaseUrl: url,
    anonKey,
    transport: transport === 'tab' || transport === 'shared' ? transport : 'auto',
    ...tuning(params),
  });
  // Listening before the session reaches the broker: no outbox event goes unheard.
  const outbox = new OutboxView(backline);
  supabase.auth.onAuthStateChange((_event, session) => outbox.signedIn(session?.user.id));
  bindSupabaseAuth(backline, supabase);
  return { supabase, backline, outbox, toasts: new ToastService() };
}
