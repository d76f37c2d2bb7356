// A Chromium driven over the DevTools protocol alone, for what Playwright cannot test: a page
// restored from the back/forward cache. Playwright turns the cache off, and with it turned on its
// own scripts run in the cached page, which Chromium answers by evicting it (JavaScriptExecution);
// nor does it follow a restore (no load event). Here nothing runs in a page but what a test asks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { LAUNCH_OPTIONS } from './chromium.js';

interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** How a back navigation ended: from the cache, or loaded anew with the reasons Chromium gave. */
export type BackResult = { restored: true } | { restored: false; reasons: string[] };

export interface BarePage {
  /** Evaluates an expression in the page (awaiting a promise); its value as JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /** Evaluates until the expression is truthy, every 50 ms until `timeoutMs`. */
  waitFor(expression: string, timeoutMs?: number): Promise<void>;
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  /** Goes back one history entry and says whether the page came from the back/forward cache. */
  back(): Promise<BackResult>;
}

export interface BareChromium {
  newPage(url: string): Promise<BarePage>;
  close(): Promise<void>;
}

export async function launchBareChromium(): Promise<BareChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'backline-bare-'));
  const browser = spawn(
    LAUNCH_OPTIONS.executablePath!,
    [
      ...(LAUNCH_OPTIONS.args ?? []),
      '--headless=new',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  try {
    const socket = await connect(await debuggerUrl(profile, browser));
    const cdp = new Cdp(socket);
    return {
      newPage: (url) => openPage(cdp, url),
      async close() {
        socket.close();
        browser.kill('SIGKILL');
        await new Promise((resolve) => browser.once('exit', resolve));
        // Its helper processes may still be writing into the profile for a moment.
        await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      },
    };
  } catch (error) {
    browser.kill('SIGKILL');
    throw error;
  }
}

/** The browser's DevTools address, once Chromium has written it into the profile. */
async function debuggerUrl(profile: string, browser: ChildProcess): Promise<string> {
  for (let i = 0; i < 200; i++) {
    if (browser.exitCode !== null) throw new Error(`chromium exited with ${browser.exitCode}`);
    const written = await readFile(join(profile, 'DevToolsActivePort'), 'utf8').catch(() => '');
    const [port, path] = written.split('\n');
    if (port && path) return `ws://127.0.0.1:${port}${path}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('chromium did not open its DevTools port within 10 s');
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Commands with answers, and events by session, over the one browser connection. */
class Cdp {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (m: Message) => void }>();
  private readonly listeners = new Set<(message: Message) => void>();

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as Message;
      if (message.id !== undefined) {
        this.waiting.get(message.id)?.resolve(message);
        this.waiting.delete(message.id);
      } else this.listeners.forEach((listener) => listener(message));
    });
  }

  async send(method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const answer = new Promise<Message>((resolve) => this.waiting.set(id, { resolve }));
    this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    const message = await answer;
    if (message.error) throw new Error(`${method}: ${message.error.message}`);
    return message.result ?? {};
  }

  /** The first event of `method` in the session that `accept` takes. */
  next(sessionId: string, method: string, accept: (params: Record<string, unknown>) => boolean = () => true) {
    return new Promise<Record<string, unknown>>((resolve) => {
      const listener = (message: Message): void => {
        if (message.sessionId !== sessionId || message.method !== method) return;
        if (!accept(message.params ?? {})) return;
        this.listeners.delete(listener);
        resolve(message.params ?? {});
      };
      this.listeners.add(listener);
    });
  }
}

async function openPage(cdp: Cdp, url: string): Promise<BarePage> {
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as {
    sessionId: string;
  };
  const send = (method: string, params: object = {}) => cdp.send(method, params, sessionId);
  await send('Page.enable');
  const loaded = () => cdp.next(sessionId, 'Page.loadEventFired');
  const page: BarePage = {
    async evaluate<T>(expression: string) {
      const { result, exceptionDetails } = (await send('Runtime.evaluate', {
        expression,
        awaitPromise: true,
        returnByValue: true,
      })) as {
        result: { value: T };
        exceptionDetails?: { exception?: { description?: string }; text: string };
      };
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    },
    async waitFor(expression, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
        if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${expression}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async goto(target) {
      const load = loaded();
      await send('Page.navigate', { url: target });
      await load;
    },
    async back() {
      const { currentIndex, entries } = (await send('Page.getNavigationHistory')) as {
        currentIndex: number;
        entries: { id: number }[];
      };
      const notUsed = cdp.next(sessionId, 'Page.backForwardCacheNotUsed');
      const navigated = cdp.next(sessionId, 'Page.frameNavigated', (params) => {
        const frame = params['frame'] as { parentId?: string };
        return frame.parentId === undefined;
      });
      const load = loaded();
      await send('Page.navigateToHistoryEntry', { entryId: entries[currentIndex - 1]!.id });
      const { type } = (await navigated) as { type: string };
      if (type === 'BackForwardCacheRestore') return { restored: true };
      const { notRestoredExplanations } = (await notUsed) as {
        notRestoredExplanations: { reason: string }[];
      };
      await load;
      return { restored: false, reasons: notRestoredExplanations.map((e) => e.reason) };
    },
  };
  await page.goto(url);
  return page;
}
