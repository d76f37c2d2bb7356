// The toasts on screen and how bursts merge: requests with the same key within a short window
// become one toast with a count, at most a few show at once, and each ends by itself unless it
// must stay. Pure: time comes in as `now`. Which toast to ask for is toast-policy.ts's choice.
export type ToastTone = 'success' | 'info' | 'warning' | 'error';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  /** Toasts with the same key within the batch window merge into one with a count. */
  key: string;
  tone: ToastTone;
  message: string;
  count: number;
  /** Stays until dismissed. */
  persistent: boolean;
  actions: ToastAction[];
  /** When it was shown or last merged into. */
  updatedAt: number;
  expiresAt: number | undefined;
}

export interface ToastRequest {
  key: string;
  tone: ToastTone;
  /** The message for `count` merged occurrences. */
  message: (count: number) => string;
  persistent?: boolean;
  /** How long it shows unless it must stay (default TOAST_LIFETIME_MS): an Undo wants a little longer. */
  lifetimeMs?: number;
  actions?: ToastAction[];
}

export const BATCH_WINDOW_MS = 2000;
export const TOAST_LIFETIME_MS = 5000;
const MAX_VISIBLE = 4;
/** Toasts that stay, at most: past this the oldest goes (what it said stays on its row). */
const MAX_PERSISTENT = 2;

export class ToastQueue {
  private toasts: Toast[] = [];
  private nextId = 1;

  get visible(): readonly Toast[] {
    return this.toasts;
  }

  push(request: ToastRequest, now: number): Toast {
    const existing = this.toasts.find(
      (toast) => toast.key === request.key && (toast.persistent || now - toast.updatedAt < BATCH_WINDOW_MS),
    );
    const persistent = request.persistent ?? false;
    const expiresAt = persistent ? undefined : now + (request.lifetimeMs ?? TOAST_LIFETIME_MS);
    if (existing) {
      const merged: Toast = {
        ...existing,
        count: existing.count + 1,
        message: request.message(existing.count + 1),
        updatedAt: now,
        expiresAt,
        actions: request.actions ?? existing.actions,
      };
      this.toasts = this.toasts.map((toast) => (toast === existing ? merged : toast));
      return merged;
    }
    const toast: Toast = {
      id: this.nextId++,
      key: request.key,
      tone: request.tone,
      message: request.message(1),
      count: 1,
      persistent,
      actions: request.actions ?? [],
      updatedAt: now,
      expiresAt,
    };
    const staying = this.toasts.filter((t) => t.persistent);
    const pushedOut = persistent ? staying.slice(0, Math.max(0, staying.length + 1 - MAX_PERSISTENT)) : [];
    this.toasts = [...this.toasts.filter((t) => !pushedOut.includes(t)), toast].slice(-MAX_VISIBLE);
    return toast;
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((toast) => toast.id !== id);
  }

  /** Drops every toast with this key (a "lost" toast once the connection is restored). */
  dismissKey(key: string): void {
    this.toasts = this.toasts.filter((toast) => toast.key !== key);
  }

  /** Removes expired toasts; returns whether anything changed. */
  expire(now: number): boolean {
    const before = this.toasts.length;
    this.toasts = this.toasts.filter((toast) => toast.expiresAt === undefined || toast.expiresAt > now);
    return this.toasts.length !== before;
  }

  nextExpiry(): number | undefined {
    const times = this.toasts.flatMap((toast) => (toast.expiresAt === undefined ? [] : [toast.expiresAt]));
    return times.length ? Math.min(...times) : undefined;
  }
}
