// At a realtime quota the indicator says the server's reason, in the user's words: here a server
// that allows one channel per connection, so the band's channel is refused on every attempt.
import { expect, test } from '@playwright/test';
import { FREE_PLAN_QUOTAS } from '../server/config.js';
import { bandWith, signedUpClient } from '../test/support/backend.js';
import { startApp, type RunningApp } from '../test/support/browser/app.js';
import { indicator, openApp, openBand } from './support/ui.js';

let app: RunningApp;
test.beforeAll(async () => {
  app = await startApp({ realtime: { ...FREE_PLAN_QUOTAS, maxChannelsPerConnection: 1 } });
});
test.afterAll(() => app.close());

test('the indicator says the server refused more channels, and keeps retrying', async ({ browser }) => {
  const alice = await signedUpClient(app.backend, 'alice');
  await bandWith(alice.client, [], 'Crowded');
  const context = await browser.newContext();
  const page = await openApp(context, app.appUrl, alice, '?backoff=200');
  await openBand(page, 'Crowded');
  await expect(indicator(page)).toContainText('Reconnecting…');
  await expect(indicator(page)).toContainText('The server refused more channels on this connection.');
  await context.close();
});
