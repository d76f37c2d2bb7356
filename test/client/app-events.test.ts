import { describe, expect, it } from 'vitest';
import type { BandEvent } from '../../contract/schema.js';
import type { BusEvent } from '../../contract/protocol.js';
import type { ConnectionState } from '../../contract/connection-state.js';
import { AppEvents } from '../../src/client/app-events.js';
import { BandDelivery, isBandBusEvent } from '../../src/client/band-delivery.js';
import { Emitter, type BacklineEvents } from '../../src/client/events.js';

const bandEvent = (seq: number, table_name = 'songs'): BusEvent => ({
  type: 'band:event',
  userId: 'u',
  bandId: 'b',
  event: {
    band_id: 'b',
    seq,
    table_name,
    record_id: `row-${seq}`,
    op: 'INSERT',
    record: { title: `Row ${seq}` },
    old_record: null,
    actor: 'someone',
    at: '',
  } as BandEvent,
});

/** The client's route for the bus: band events through band delivery, the rest straight to the app events. */
function route() {
  const emitter = new Emitter<BacklineEvents>();
  const appEvents = new AppEvents(emitter);
  const delivery = new BandDelivery(appEvents, {
    eventsAfter: () => Promise.resolve([]),
    lostBand: () => false,
  });
  const heard = (event: BusEvent): void =>
    isBandBusEvent(event) ? delivery.received(event) : appEvents.received(event);
  const seen: string[] = [];
  const record = <K extends keyof BacklineEvents>(type: K, show: (payload: BacklineEvents[K]) => string) =>
    emitter.on(type, (payload) => seen.push(`${type} ${show(payload)}`));
  return { appEvents, delivery, heard, seen, record };
}

describe('app events', () => {
  it('turns a watched band’s bus events into songs:changed once each, in order, dropping a repeat', () => {
    const { delivery, heard, seen, record } = route();
    record('songs:changed', (change) => `${change.seq} ${change.op} ${change.record?.title}`);
    record('members:changed', (change) => String(change.seq));
    delivery.watch('b');
    heard({ type: 'band:live', userId: 'u', bandId: 'b', lastSeq: 3 });
    for (const seq of [4, 5, 5, 3, 6]) heard(bandEvent(seq));
    heard(bandEvent(7, 'band_memberships'));
    expect(seen).toEqual([
      'songs:changed 4 INSERT Row 4',
      'songs:changed 5 INSERT Row 5',
      'songs:changed 6 INSERT Row 6',
      'members:changed 7',
    ]);
  });

  it('emits band:event before the row change, with the change carrying the event’s fields', () => {
    const { delivery, heard, seen, record } = route();
    record('band:event', (event) => `${event.seq}`);
    record('songs:changed', (change) => JSON.stringify(change));
    delivery.watch('b');
    heard(bandEvent(1));
    expect(seen).toEqual([
      'band:event 1',
      `songs:changed ${JSON.stringify({ bandId: 'b', seq: 1, op: 'INSERT', record: { title: 'Row 1' }, oldRecord: null, actor: 'someone' })}`,
    ]);
  });

  it('hears a band it does not watch not at all', () => {
    const { heard, seen, record } = route();
    record('band:event', (event) => `${event.seq}`);
    record('band:live', (live) => `${live.lastSeq}`);
    heard({ type: 'band:live', userId: 'u', bandId: 'b', lastSeq: 3 });
    heard(bandEvent(4));
    expect(seen).toEqual([]);
  });

  it('keeps the connection state it told the app, back to the start when the session ends', () => {
    const { appEvents, heard, seen, record } = route();
    const connected: ConnectionState = {
      kind: 'connected',
      since: 1,
      attempt: 0,
      nextRetryAt: null,
      lastError: null,
    };
    record('realtime:state-changed', (state) => state.kind);
    record('session:ended', ({ userId }) => userId);
    heard({ type: 'realtime:state-changed', userId: 'u', state: connected });
    expect(appEvents.state).toBe(connected);
    heard({ type: 'session:ended', userId: 'u' });
    expect(appEvents.state.kind).toBe('disconnected');
    expect(seen).toEqual(['realtime:state-changed connected', 'session:ended u']);
  });
});
