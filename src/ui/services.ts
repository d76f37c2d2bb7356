// The app's long-lived services, made once per page: the Backline client (the session, the reads
// and the shared socket all live in its broker: the page loads no Supabase client), the outbox as
// the page shows it, and the toast queue.
import { BacklineClient, type BacklineOptions } from '../client/index.js';
import { supabaseConfig } from '../config.js';
import { OutboxView } from './outbox-view.js';
import { ToastQueue, type Toast, type ToastRequest } from './state/toast-queue.js';

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
  const transport = params.get('transport');
  const backline = await BacklineClient.connect({
    supabaseUrl: url,
    anonKey,
    transport: transport === 'tab' || transport === 'shared' ? transport : 'auto',
    // ?session=tab keeps the session per tab: two users in one browser profile.
    session: params.get('session') === 'tab' ? 'tab' : 'profile',
    ...tuning(params),
  });
  const outbox = new OutboxView(backline);
  outbox.signedIn(backline.currentUser?.id);
  backline.on('auth:changed', ({ user }) => outbox.signedIn(user?.id));
  return { backline, outbox, toasts: new ToastService() };
}
