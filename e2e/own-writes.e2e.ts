// A tab's own writes as the person who made them sees them: each one opens or confirms once,
// whatever order the outbox's events and the write's answer arrive in.
import { expect, test, type Page } from '@playwright/test';
import { signedUpClient } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { openApp, toasts } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp();
});
test.afterAll(() => app.close());

/** Delays every message a MessagePort delivers in the page (Comlink's answers), in order. */
function slowPorts(ms: number): void {
  const add = Reflect.get<EventTarget, 'addEventListener'>(EventTarget.prototype, 'addEventListener');
  MessagePort.prototype.addEventListener = function (
    this: MessagePort,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    const delayed =
      type === 'message' && typeof listener === 'function'
        ? (event: Event): void => void setTimeout(() => listener.call(this, event), ms)
        : listener;
    Reflect.apply(add, this, [type, delayed, options]);
  };
}

/** Creates bands back to back in `page`; each must open and be confirmed by exactly one toast. */
async function createMany(page: Page, count: number): Promise<void> {
  const form = page.getByRole('form', { name: 'Create a band' });
  for (let i = 1; i <= count; i++) {
    const name = `Band ${i} ${Date.now()}`;
    await form.getByLabel('Band name').fill(name);
    await form.getByRole('button', { name: 'Create band' }).click();
    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
    await expect(toasts(page).getByText(`Created ${name}`, { exact: true })).toHaveCount(1);
    await page.getByRole('link', { name: '← Your bands' }).click();
  }
}

for (const mode of ['shared', 'tab'] as const) {
  test(`20 creates with a second tab open, each opens its band and toasts once (${mode})`, async ({
    browser,
  }) => {
    const a = await signedUpClient(app.backend, 'a');
    const context = await browser.newContext();
    // The race needs the outbox's events to beat the write's answer; here the server answers in
    // 15-100 ms and the port in 0-20 ms, so a slower port (150 ms, in the browser's own timers)
    // stands for a fast server or a busy worker.
    await context.addInitScript(slowPorts, 150);
    const query = `?transport=${mode}`;
    const page = await openApp(context, app.appUrl, a, query);
    const second = await openApp(context, app.appUrl, a, query);
    await createMany(page, 20);
    await expect(second.getByRole('link', { name: /^Band 20 / })).toBeVisible();
    await context.close();
  });
}
