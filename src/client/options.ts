// What an app passes to BacklineClient.connect: the broker's config (BrokerConfig, sent as is to
// every broker the tab talks to) plus the tab's own settings.
import type { BrokerConfig } from '../../contract/protocol.js';

export interface BacklineOptions extends BrokerConfig {
  /** 'auto' (default): shared when SharedWorker works, else per-tab. */
  transport?: 'auto' | 'shared' | 'tab';
  /**
   * 'backline' (default): sign in through the client (signIn, signUp, signOut); the broker keeps
   * the session and no token reaches the tab. 'app': the app keeps its own Supabase session and
   * hands each token over (setSession, or bindSupabaseAuth).
   */
  auth?: 'backline' | 'app';
  /** Whose session this tab uses: the profile's (default), or its own ('tab': two people in one profile). */
  session?: 'profile' | 'tab';
  /** How often the tab checks that the worker answers (default 5 s), and how long it waits (3 s). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /**
   * How long a worker just started may take to answer (default 10 s): a cold start fetches and
   * runs the worker's code first. Past it, 'auto' falls back to per-tab mode; a script that fails
   * to load falls back at once.
   */
  startTimeoutMs?: number;
}

/**
 * Every BrokerConfig key, once: a key added to BrokerConfig fails to compile here until it is
 * listed, so the config a broker is sent can never miss one.
 */
const BROKER_CONFIG_KEYS: { [K in keyof Required<BrokerConfig>]: K } = {
  supabaseUrl: 'supabaseUrl',
  anonKey: 'anonKey',
  heartbeatIntervalMs: 'heartbeatIntervalMs',
  graceMs: 'graceMs',
  maxAttempts: 'maxAttempts',
  backoffBaseMs: 'backoffBaseMs',
  outboxBatchSize: 'outboxBatchSize',
  joinsPerSecond: 'joinsPerSecond',
  hopStamps: 'hopStamps',
};

/** The options' BrokerConfig part, without the keys left unset (the broker applies its defaults). */
export const brokerConfig = (options: BacklineOptions): BrokerConfig =>
  pick(options, Object.values(BROKER_CONFIG_KEYS));

function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) if (from[key] !== undefined) picked[key] = from[key];
  return picked;
}
