import { describe, expect, it } from 'vitest';
import { brokerConfig } from '../../src/client/options.js';

describe('client options', () => {
  it('sends the broker its config and nothing of the tab’s own settings', () => {
    expect(
      brokerConfig({
        supabaseUrl: 'http://127.0.0.1:54321',
        anonKey: 'anon',
        graceMs: 200,
        outboxBatchSize: 1,
        transport: 'shared',
        pingIntervalMs: 2000,
        pingTimeoutMs: 1500,
      }),
    ).toEqual({ supabaseUrl: 'http://127.0.0.1:54321', anonKey: 'anon', graceMs: 200, outboxBatchSize: 1 });
  });

  it('leaves out the tuning an app did not set, so the broker applies its defaults', () => {
    const config = brokerConfig({ supabaseUrl: 'u', anonKey: 'k' });
    expect(Object.keys(config)).toEqual(['supabaseUrl', 'anonKey']);
  });
});
