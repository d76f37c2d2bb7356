// Band events bound for tabs are gathered per tab until the task that produced them is over:
// microtask-driven, as in the broker.
import { describe, expect, it } from 'vitest';
import type { BandBusEvent } from '../../contract/protocol.js';
import type { BandEvent } from '../../contract/schema.js';
import { TabBursts, type Burst } from '../../worker/tab-bursts.js';

const bandEvent = (seq: number, bandId = 'band-a'): BandBusEvent => ({
  type: 'band:event',
  userId: 'alice',
  bandId,
  event: { band_id: bandId, seq } as BandEvent,
});

function tabs(): { sent: [string, Burst][]; bursts: TabBursts } {
  const sent: [string, Burst][] = [];
  return { sent, bursts: new TabBursts((tabId, burst) => sent.push([tabId, burst])) };
}

const seqsOf = (burst: Burst): number[] =>
  burst.events.map((event) => (event.type === 'band:event' ? event.event.seq : -1));

describe('tab bursts', () => {
  it('sends a burst of events made in one task to each tab as one message, in order', async () => {
    const { sent, bursts } = tabs();
    for (let seq = 1; seq <= 50; seq++) bursts.add(['tab-1', 'tab-2'], bandEvent(seq), 1000 + seq);
    expect(sent).toEqual([]);
    await Promise.resolve();
    expect(sent.map(([tabId]) => tabId)).toEqual(['tab-1', 'tab-2']);
    for (const [, burst] of sent) {
      expect(seqsOf(burst)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      // The message's stamp is its first event's: the oldest wait in it.
      expect(burst.firstAt).toBe(1001);
    }
  });

  it('sends a tab only the events meant for it, and a later task’s events as a message of their own', async () => {
    const { sent, bursts } = tabs();
    bursts.add(['tab-1'], bandEvent(1, 'band-a'), undefined);
    bursts.add(['tab-2'], bandEvent(1, 'band-b'), undefined);
    bursts.add(['tab-1'], bandEvent(2, 'band-a'), undefined);
    await Promise.resolve();
    bursts.add(['tab-1'], bandEvent(3, 'band-a'), undefined);
    await Promise.resolve();
    expect(sent.map(([tabId, burst]) => [tabId, seqsOf(burst)])).toEqual([
      ['tab-1', [1, 2]],
      ['tab-2', [1]],
      ['tab-1', [3]],
    ]);
    expect(sent.every(([, burst]) => burst.firstAt === undefined)).toBe(true);
  });

  it('drops what waits for a tab that is gone', async () => {
    const { sent, bursts } = tabs();
    bursts.add(['tab-1', 'tab-2'], bandEvent(1), undefined);
    bursts.drop('tab-1');
    await Promise.resolve();
    expect(sent.map(([tabId]) => tabId)).toEqual(['tab-2']);
  });
});
