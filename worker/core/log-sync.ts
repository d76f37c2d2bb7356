// One sync step with no transport in sight: read a band's log after a seq, page by page, hand
// each page on in order, and say how it ended, so the caller can release what it held back. The
// worker's catch-up, a tab's resume after a worker move and the bench's baselines all run this
// loop; each brings its own reader and its own sequence (y-protocols' split of sync step and
// transport).

export interface Sequenced {
  seq: number;
}

export interface LogSyncSteps<E extends Sequenced> {
  /** One page of the log after `afterSeq`, oldest first, at most the page size. */
  read(afterSeq: number): Promise<E[]>;
  /** Takes a page in order; the caller's sequence drops what it already had. */
  apply(page: E[]): void;
  /** The last seq the caller holds: where the sync starts, and starts again after a failed read. */
  position(): number;
  /** False once the sync is superseded (a newer one, the band released): it stops, applying nothing more. */
  current(): boolean;
  /**
   * The pause after the n-th failed read in a row before reading again from `position()`, or
   * undefined to give up (the band is lost, and retrying cannot help).
   */
  retryPause(failures: number, error: unknown): number | undefined;
  sleep(ms: number): Promise<void>;
  /** Optional: true once nothing more is owed (a tab's held live events start right after `position()`). */
  reached?(): boolean;
}

export type SyncResult =
  /** The log's head was reached (a short page) or nothing more was owed; release what was held. */
  | { kind: 'reached'; count: number }
  /** The caller gave up on a failed read; what was held may be released over the gap it leaves. */
  | { kind: 'gave-up'; count: number; error: unknown }
  /** A newer sync, or none, is in charge now: release nothing. */
  | { kind: 'superseded'; count: number };

/** Runs the sync to its end; `count` is the events read (before the caller's dedup). */
export async function syncLog<E extends Sequenced>(
  steps: LogSyncSteps<E>,
  pageSize: number,
): Promise<SyncResult> {
  let count = 0;
  let failures = 0;
  let after = steps.position();
  while (steps.current()) {
    if (steps.reached?.()) return { kind: 'reached', count };
    let page: E[];
    try {
      page = await steps.read(after);
    } catch (error) {
      if (!steps.current()) break;
      const pause = steps.retryPause(++failures, error);
      if (pause === undefined) return { kind: 'gave-up', count, error };
      await steps.sleep(pause);
      after = steps.position();
      continue;
    }
    if (!steps.current()) break;
    failures = 0;
    steps.apply(page);
    count += page.length;
    if (page.length < pageSize) return { kind: 'reached', count };
    after = page[page.length - 1]!.seq;
  }
  return { kind: 'superseded', count };
}
