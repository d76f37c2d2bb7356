// Helpers shared by the realtime tests: subscribing the unmodified supabase-js client the way an
// app must (wait for "Subscribed to PostgreSQL"), and a raw ws client that speaks frames by hand.
import WebSocket from 'ws';
import {
  REALTIME_SUBSCRIBE_STATES as STATES,
  type RealtimeChannel,
  type RealtimePostgresChangesPayload,
} from '@supabase/supabase-js';
import type { Backend, Client } from '../../support/backend.js';

export type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

/** SUBSCRIBED, or the error the channel reported instead. */
export function subscribe(channel: RealtimeChannel): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === STATES.SUBSCRIBED) resolve();
      else if (status !== STATES.CLOSED) reject(new Error(`${status} ${error?.message ?? ''}`));
    }),
  );
}

/** The reason a subscription failed; rejects if it succeeds. */
export function subscribeError(channel: RealtimeChannel): Promise<string> {
  return new Promise<string>((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === STATES.CHANNEL_ERROR) resolve(error?.message ?? '');
      else if (status === STATES.SUBSCRIBED) reject(new Error('subscribed, expected an error'));
    }),
  );
}

/** Subscribed and changes flowing: SUBSCRIBED fires on the join reply, before the system message. */
export async function subscribedToChanges(channel: RealtimeChannel): Promise<RealtimeChannel> {
  const flowing = new Promise<void>((resolve) =>
    channel.on('system', {}, (payload: { status?: string; extension?: string }) => {
      if (payload.status === 'ok' && payload.extension === 'postgres_changes') resolve();
    }),
  );
  await subscribe(channel);
  await flowing;
  return channel;
}

/** The user's access token on the user's realtime client, as the app does after sign-in. */
export async function signedInRealtime(user: { client: Client }): Promise<Client> {
  const token = (await user.client.auth.getSession()).data.session!.access_token;
  await user.client.realtime.setAuth(token);
  return user.client;
}

export function collect(
  supabase: Client,
  name: string,
  binding: { event: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; table: string; filter?: string },
): { channel: RealtimeChannel; changes: Change[] } {
  const changes: Change[] = [];
  const channel = supabase
    .channel(name)
    .on('postgres_changes', { schema: 'public', ...binding }, (payload: Change) => changes.push(payload));
  return { channel, changes };
}

export function socketUrl(backend: Backend, vsn: '1.0.0' | '2.0.0' = '2.0.0', key = backend.anonKey): string {
  return `${backend.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${key}&vsn=${vsn}`;
}

export type WireFrame = [string | null, string | null, string, string, Record<string, unknown>];

/** A hand-driven vsn 2.0.0 client: every text frame received is kept, in order. */
export class RawSocket {
  readonly frames: WireFrame[] = [];
  readonly binaries: Buffer[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.binaries.push(data);
      else this.frames.push(JSON.parse(data.toString()) as WireFrame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string): Promise<RawSocket> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('error', reject);
    });
  }

  send(frame: WireFrame | string | Buffer): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /** The first frame (already received or coming) that satisfies `match`. */
  async next(match: (frame: WireFrame) => boolean, timeoutMs = 5000): Promise<WireFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  reply(ref: string): Promise<WireFrame> {
    return this.next((f) => f[3] === 'phx_reply' && f[1] === ref);
  }

  closed(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CLOSED)
      return Promise.resolve({ code: 0, reason: 'already closed' });
    return new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  close(): void {
    this.ws.close();
  }
}

/** The HTTP status and body a refused upgrade answered with. */
export function refusal(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('open', () => {
      ws.close();
      reject(new Error('the connection was accepted'));
    });
  });
}
