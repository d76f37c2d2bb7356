// Every name two ends must agree on: the channels, locks, worker names and storage keys of one
// browser profile. Written once here, so a tab and the worker can never spell one differently.

/** BroadcastChannel carrying one user's bus events from the shared broker to every tab. */
export const busChannel = (userId: string): string => `backline:user:${userId}`;

/** BroadcastChannel on which every context of the profile hears one user's outbox (see OutboxMessage). */
export const outboxChannel = (userId: string): string => `backline:outbox:${userId}`;

/** Web Lock held by the one context that drains a user's outbox. */
export const outboxLock = (userId: string): string => `backline:outbox:${userId}`;

/** Web Lock a tab holds for as long as it lives; the broker waits on it to learn the tab is gone. */
export const tabLock = (tabId: string): string => `backline:tab:${tabId}`;

/** Web Lock a SharedWorker holds for as long as it lives; tabs queue for it to learn it died. */
export const workerLifeLock = (generation: number): string => `backline:worker-life:${generation}`;

/** BroadcastChannel on which tabs tell each other to move to a newer worker generation. */
export const CONTROL_CHANNEL = 'backline:control';

const WORKER_NAME = /^backline:(\d+)$/;

/** The SharedWorker's name per generation: a dead worker stays unreachable under its name. */
export const workerName = (generation: number): string => `backline:${generation}`;

/** The generation a SharedWorker was started as (0 for a name not made by workerName). */
export const workerGeneration = (name: string): number => Number(WORKER_NAME.exec(name)?.[1] ?? 0);

/** localStorage: the newest worker generation any tab of the profile has moved to. */
export const GENERATION_KEY = 'backline:worker-generation';

/** sessionStorage: this tab's own id when sessions are per tab (two people in one profile). */
export const TAB_SESSION_KEY = 'backline:tab-session';

/** BroadcastChannel carrying one session scope's sign-ins and sign-outs (AuthChange) to its tabs. */
export const authChannel = (scope: string): string => `backline:auth:${scope}`;

/** Web Lock held by the one context that refreshes a scope's session (per-tab mode elects it). */
export const authRefresherLock = (scope: string): string => `backline:auth-refresher:${scope}`;

/** The auth client's storage key for a scope's session, in AUTH_DATABASE. */
export const authStorageKey = (scope: string): string => `backline-auth:${scope}`;

/** IndexedDB database holding the profile's sessions (one per scope), where a worker can reach them. */
export const AUTH_DATABASE = 'backline-auth';

/** IndexedDB database holding every user's outbox in this profile. */
export const OUTBOX_DATABASE = 'backline-outbox';
