import { describe, expect, it } from 'vitest';
import { INITIAL_STATE } from '../../contract/connection-state.js';
import type { Diagnostics } from '../../src/client/index.js';
import { diagnosticsReport, outageSpans, redactTokens } from '../../src/ui/state/diagnostics-report.js';
import { outboxEntry } from './fixtures.js';

const JWT_LIKE = /eyJ[\w-]*\.[\w-]+\.[\w-]*/;
const TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1Iiwicm9sZSI6ImF1dGhlbnRpY2F0ZWQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('outages on the chart', () => {
  it('spans each time the socket was out, merging reconnecting into error, clipped to the window', () => {
    const history = [
      { at: 0, kind: 'connecting' as const, error: undefined },
      { at: 1000, kind: 'connected' as const, error: undefined },
      { at: 5000, kind: 'reconnecting' as const, error: 'heartbeat unanswered' },
      { at: 7000, kind: 'error' as const, error: 'refused' },
      { at: 9000, kind: 'connected' as const, error: 'refused' },
      { at: 12_000, kind: 'offline' as const, error: undefined },
    ];
    expect(outageSpans(history, 6000, 15_000)).toEqual([
      { from: 6000, to: 9000 },
      { from: 12_000, to: 15_000 },
    ]);
    expect(outageSpans(history.slice(0, 2), 0, 15_000)).toEqual([]);
  });
});

describe('the copied report', () => {
  const snapshot: Diagnostics = {
    mode: 'shared',
    modeReason: 'SharedWorker available',
    generation: 1,
    instance: 'instance-1',
    startedAt: 0,
    tabs: [{ tabId: 'tab-1', userId: 'u', bands: ['b'] }],
    users: [
      {
        userId: 'u',
        state: {
          ...INITIAL_STATE,
          kind: 'reconnecting',
          lastError: {
            code: 'closed',
            message: `wss://example.test/realtime/v1/websocket?apikey=${TOKEN}&vsn=1.0.0 closed`,
            at: 1,
          },
        },
        history: [{ at: 1, kind: 'reconnecting', error: `Bearer ${TOKEN}` }],
        heartbeatRttMs: 3,
        channels: 1,
        bands: [],
        outboxJunkDropped: 0,
      },
    ],
    eventsPerSecond: 0,
  };

  it('is JSON with the snapshot, band names and the outbox without its contents', () => {
    const entry = {
      ...outboxEntry('x', 'pending'),
      write: { kind: 'song.insert' as const, songId: 's', bandId: 'b', fields: { title: 'Secret song' } },
      error: { code: 'retrying', message: 'Failed to fetch' },
    };
    const report = JSON.parse(
      diagnosticsReport(snapshot, [entry], {
        at: 0,
        tabId: 'tab-1',
        userAgent: 'test',
        bandNames: new Map([['b', 'The Backliners']]),
      }),
    ) as Record<string, unknown>;
    expect(report).toMatchObject({
      thisTab: 'tab-1',
      bandNames: { b: 'The Backliners' },
      broker: { mode: 'shared', tabs: [{ tabId: 'tab-1' }] },
      outbox: [{ kind: 'song.insert', status: 'pending', error: { code: 'retrying' } }],
    });
    // The song's title stays on the device.
    expect(JSON.stringify(report)).not.toContain('Secret song');
  });

  it('carries no token, wherever one hid in the snapshot', () => {
    const report = diagnosticsReport(snapshot, [], {
      at: 0,
      tabId: 'tab-1',
      userAgent: 'test',
      bandNames: new Map(),
    });
    expect(report).not.toMatch(JWT_LIKE);
    expect(report).toContain('apikey=[token removed]');
    expect(redactTokens(`a ${TOKEN} b`)).toBe('a [token removed] b');
  });
});
