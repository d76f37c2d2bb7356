// What the tab client needs from its surroundings, as interfaces: the transports it can open,
// where the profile's worker generation is stored, the channel tabs tell each other on, Web
// Locks and timers. browser-environment.ts hands in the browser's; unit tests hand in fakes.
import type { Transport } from './transport.js';

export interface TransportFactory {
  readonly sharedWorkerAvailable: boolean;
  /** The SharedWorker of a generation (it may throw when it cannot start). */
  shared(generation: number, reason: string): Transport;
  /** A broker inside this page. */
  tab(reason: string, generation: number): Promise<Transport>;
}

/** The newest worker generation any tab of the profile has moved to (localStorage in a browser). */
export interface GenerationStore {
  get(): number;
  set(generation: number): void;
}

/** The profile's control channel (a BroadcastChannel in a browser): tabs tell each other to move. */
export interface ControlChannel {
  postMessage(message: { generation: number }): void;
  onmessage: ((message: MessageEvent) => void) | null;
  close(): void;
}

/** Web Locks (navigator.locks in a browser). */
export interface Locks {
  request(
    name: string,
    options: { mode?: 'exclusive' | 'shared'; signal?: AbortSignal },
    granted: () => unknown,
  ): Promise<unknown>;
}

export interface Timers {
  /** Runs `run` once after `ms`; returns the cancel. */
  after(ms: number, run: () => void): () => void;
  /** Runs `run` every `ms`; returns the cancel. */
  every(ms: number, run: () => void): () => void;
}

export interface SuccessionEnvironment {
  transports: TransportFactory;
  generations: GenerationStore;
  /** Opens the control channel (again after the page comes back from the back/forward cache). */
  control(): ControlChannel;
  locks: Locks;
  timers: Timers;
}
