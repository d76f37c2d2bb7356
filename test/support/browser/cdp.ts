// The DevTools protocol where Playwright stops: JS heap and main-thread time per page; for the
// SharedWorker, which Playwright does not expose, its heap, a kill and a loss of memory through
// the browser's own target session. Used by the benchmarks to measure and by the e2e tests to crash a worker.
import type { Browser, CDPSession, Page } from '@playwright/test';
import { workerGeneration } from '../../../contract/names.js';

export async function pageSession(page: Page): Promise<CDPSession> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  return session;
}

/** Live JS heap after a full GC, so garbage not yet collected does not count. */
export async function heapUsed(session: CDPSession): Promise<number> {
  await session.send('HeapProfiler.collectGarbage');
  return (await session.send('Runtime.getHeapUsage')).usedSize;
}

/** Seconds the page's main thread has spent running tasks since it started. */
export async function taskSeconds(session: CDPSession): Promise<number> {
  const { metrics } = await session.send('Performance.getMetrics');
  return metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0;
}

/**
 * The SharedWorkers (of one browser context if given), lowest generation first: the one the tabs
 * attach to, should a later generation be running too. A target's title is the worker's name,
 * which carries its generation.
 */
async function sharedWorkers(cdp: CDPSession, contextId?: string): Promise<{ targetId: string }[]> {
  const { targetInfos } = await cdp.send('Target.getTargets');
  return targetInfos
    .filter(
      (target) =>
        target.type === 'shared_worker' && (contextId === undefined || target.browserContextId === contextId),
    )
    .sort((a, b) => workerGeneration(a.title) - workerGeneration(b.title));
}

/** The heap of every SharedWorker, added up (null if there is none), after a full GC. */
export async function sharedWorkerHeap(browser: Browser): Promise<number | null> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const workers = await sharedWorkers(cdp);
    if (workers.length === 0) return null;
    let total = 0;
    for (const worker of workers) total += await workerHeap(cdp, worker.targetId);
    return total;
  } finally {
    await cdp.detach();
  }
}

async function workerHeap(cdp: CDPSession, targetId: string): Promise<number> {
  return inWorker(cdp, targetId, async (call) => {
    await call('HeapProfiler.collectGarbage');
    const { usedSize } = (await call('Runtime.getHeapUsage')) as { usedSize: number };
    return usedSize;
  });
}

type WorkerCall = (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** Runs `use` with a protocol session on the worker target, detached after. */
async function inWorker<T>(
  cdp: CDPSession,
  targetId: string,
  use: (call: WorkerCall) => Promise<T>,
): Promise<T> {
  // Not flattened: the browser session relays the worker's protocol messages to us.
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false });
  let nextId = 0;
  const call: WorkerCall = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (event: { sessionId: string; message: string }): void => {
        if (event.sessionId !== sessionId) return;
        const reply = JSON.parse(event.message) as {
          id?: number;
          result?: Record<string, unknown>;
          error?: { message: string };
        };
        if (reply.id !== id) return;
        cdp.off('Target.receivedMessageFromTarget', onMessage);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      };
      cdp.on('Target.receivedMessageFromTarget', onMessage);
      cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch(reject);
    });
  try {
    return await use(call);
  } finally {
    await cdp.send('Target.detachFromTarget', { sessionId });
  }
}

/**
 * Makes the profile's SharedWorker forget everything while its tabs keep their ports, as WebKit
 * re-runs a shared worker with a fresh global scope: the fault hook the e2e build has
 * (worker/faults/amnesia.ts, never in the production bundle), called over the DevTools protocol.
 */
export async function forgetSharedWorker(browser: Browser, contextId: string): Promise<void> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const [worker] = await sharedWorkers(cdp, contextId);
    if (!worker) throw new Error('the profile has no SharedWorker');
    await inWorker(cdp, worker.targetId, async (call) => {
      const { exceptionDetails } = await call('Runtime.evaluate', {
        expression: 'self.backlineFaults.forget()',
      });
      if (exceptionDetails)
        throw new Error(`the worker has no fault hooks: ${JSON.stringify(exceptionDetails)}`);
    });
  } finally {
    await cdp.detach();
  }
}

/**
 * Kills the SharedWorker serving the profile (its lowest generation), as a crash would; with
 * `contextId` (see `contextIdOf`), that browser context's. False if there is none.
 */
export async function closeSharedWorker(browser: Browser, contextId?: string): Promise<boolean> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const [worker] = await sharedWorkers(cdp, contextId);
    if (worker) await cdp.send('Target.closeTarget', { targetId: worker.targetId });
    return worker !== undefined;
  } finally {
    await cdp.detach();
  }
}

/** The DevTools id of a page's browser context (Playwright does not expose it). */
export async function contextIdOf(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    if (!targetInfo.browserContextId) throw new Error('the page reports no browser context');
    return targetInfo.browserContextId;
  } finally {
    await cdp.detach();
  }
}

/**
 * Freezes a page as Chrome does a hidden tab (Energy Saver, memory pressure): none of its tasks
 * run, timers, port messages and socket frames included, until `wake()`; it keeps its locks and
 * ports. Page.setWebLifecycleState 'frozen' is asked for too, but this headless Chromium leaves a
 * visible page running under it (its timers kept their 50 ms pace through a 1.5-s freeze), so
 * the page's main thread is also stopped in the debugger: the same stall, by the closest means.
 */
export async function freeze(page: Page): Promise<{ wake(): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.enable');
  await cdp.send('Debugger.enable');
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  await cdp.send('Debugger.pause');
  return {
    async wake() {
      await cdp.send('Debugger.resume');
      await cdp.send('Page.setWebLifecycleState', { state: 'active' });
      await cdp.detach();
    },
  };
}
