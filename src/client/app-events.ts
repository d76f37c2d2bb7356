// What the broker says, as the app's typed events (events.ts): band delivery's in-order band
// events become `band:event` plus `songs:changed` or `members:changed`; the rest of the bus maps
// one to one. Keeps the last connection state it told the app, which `client.state` reads.
import type { BandEvent, BandMembership, Song } from '../../contract/schema.js';
import { assertNever } from '../../contract/assert-never.js';
import { INITIAL_STATE, type ConnectionState } from '../../contract/connection-state.js';
import type { BandLive, BusEvent } from '../../contract/protocol.js';
import type { BandBusEvent, DeliveryOutput } from './band-delivery.js';
import type { BacklineEvents, Emitter, RowChange } from './events.js';
import type { Transport } from './transport.js';

/** The bus events that are not about one band's stream (band delivery takes those). */
export type AppBusEvent = Exclude<BusEvent, BandBusEvent>;

export class AppEvents implements DeliveryOutput {
  private connection: ConnectionState = INITIAL_STATE;

  constructor(private readonly emitter: Emitter<BacklineEvents>) {}

  /** The signed-in user's connection state as last told to the app. */
  get state(): ConnectionState {
    return this.connection;
  }

  bandEvent(event: BandEvent): void {
    this.emitter.emit('band:event', event);
    const change = {
      bandId: event.band_id,
      seq: event.seq,
      op: event.op,
      record: event.record,
      oldRecord: event.old_record,
      actor: event.actor,
    };
    if (event.table_name === 'songs') this.emitter.emit('songs:changed', change as RowChange<Song>);
    if (event.table_name === 'band_memberships') {
      this.emitter.emit('members:changed', change as RowChange<BandMembership>);
    }
  }

  bandLive(live: Pick<BandLive, 'bandId' | 'lastSeq'>): void {
    this.emitter.emit('band:live', live);
  }

  bandCaughtUp(caughtUp: { bandId: string; count: number }): void {
    this.emitter.emit('band:caught-up', caughtUp);
  }

  /** One bus event of the signed-in user. */
  received(event: AppBusEvent): void {
    switch (event.type) {
      case 'band:created':
      case 'band:joined':
      case 'band:left':
        return this.emitter.emit(event.type, { bandId: event.bandId });
      case 'realtime:state-changed':
        return this.stateChanged(event.state);
      case 'realtime:max-retries-exceeded':
        return this.emitter.emit('realtime:max-retries-exceeded', event.state);
      case 'outbox:changed':
        for (const change of event.changes) this.emitter.emit('outbox:changed', change);
        return;
      case 'session:refresh-needed':
        return this.emitter.emit('session:refresh-needed', { userId: event.userId });
      case 'session:ended':
        this.connection = INITIAL_STATE;
        return this.emitter.emit('session:ended', { userId: event.userId });
      default:
        assertNever(event);
    }
  }

  /** The connection state is news to the app: a bus event, or the broker's answer to a tab that joins late. */
  stateChanged(state: ConnectionState): void {
    this.connection = state;
    this.emitter.emit('realtime:state-changed', state);
  }

  /** Another user signed in (or none): nothing is known of their connection yet. */
  userChanged(): void {
    this.connection = INITIAL_STATE;
  }

  transportChanged(transport: Transport): void {
    this.emitter.emit('transport:changed', {
      mode: transport.mode,
      reason: transport.reason,
      generation: transport.generation,
    });
  }
}
