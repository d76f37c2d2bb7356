// The subset of the Web Locks API the broker uses, in memory, for Node (which has no
// navigator.locks): exclusive and shared modes granted in request order, held until the
// callback's promise settles, and a signal that drops a request still waiting. One instance is
// one browser profile: contexts that share it (broker and tabs) contend for the same locks.
import type { LockManagerLike, LockRequest } from '../../worker/environment.js';

type Mode = 'exclusive' | 'shared';

interface Request {
  name: string;
  mode: Mode;
  grant: () => void;
}

export interface LockSnapshot {
  held: { name: string; mode: Mode }[];
  pending: { name: string; mode: Mode }[];
}

export class MemoryLocks implements LockManagerLike {
  private readonly held: Request[] = [];
  private readonly queue: Request[] = [];

  request<T>(name: string, options: LockRequest, granted: () => Promise<T> | T): Promise<T> {
    const { signal, mode = 'exclusive' } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<T>((resolve, reject) => {
      const request: Request = {
        name,
        mode,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.held.push(request);
          // Held until what the callback returns settles, whatever it settles to.
          void Promise.resolve()
            .then(granted)
            .then(resolve, reject)
            .finally(() => {
              this.held.splice(this.held.indexOf(request), 1);
              this.grantWaiting();
            });
        },
      };
      const onAbort = (): void => {
        const waiting = this.queue.indexOf(request);
        if (waiting < 0) return;
        this.queue.splice(waiting, 1);
        reject(abortReason(signal!));
        this.grantWaiting();
      };
      signal?.addEventListener('abort', onAbort);
      this.queue.push(request);
      this.grantWaiting();
    });
  }

  /** What navigator.locks.query() tells: the locks held and the requests waiting, in order. */
  query(): LockSnapshot {
    const describe = ({ name, mode }: Request) => ({ name, mode });
    return { held: this.held.map(describe), pending: this.queue.map(describe) };
  }

  /** Grants every waiting request the spec's rules allow, oldest first. */
  private grantWaiting(): void {
    for (let i = 0; i < this.queue.length;) {
      const request = this.queue[i]!;
      if (this.grantable(request, i)) {
        this.queue.splice(i, 1);
        request.grant();
        i = 0;
      } else i++;
    }
  }

  /** Exclusive: nothing held and nothing queued ahead. Shared: no exclusive held or queued ahead. */
  private grantable(request: Request, position: number): boolean {
    const held = this.held.filter((r) => r.name === request.name);
    const ahead = this.queue.slice(0, position).filter((r) => r.name === request.name);
    if (request.mode === 'exclusive') return held.length === 0 && ahead.length === 0;
    return held.every((r) => r.mode === 'shared') && ahead.every((r) => r.mode === 'shared');
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The request was aborted.', 'AbortError');
}
