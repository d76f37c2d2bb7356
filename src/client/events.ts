// The events a Backline client emits to the app: a typed map, so the names document themselves.
import type { BandEvent, BandMembership, Song } from '../../contract/schema.js';
import type { ConnectionState } from '../../contract/connection-state.js';
import type { AuthUser, TransportMode } from '../../contract/protocol.js';
import type { OutboxEntry } from '../../contract/writes.js';

export interface RowChange<Row> {
  bandId: string;
  seq: number;
  op: BandEvent['op'];
  /** The row after the change (null for a delete). */
  record: Row | null;
  /** The row before the change (null for an insert). */
  oldRecord: Row | null;
  /** Who made it (null for the service role). */
  actor: string | null;
}

export interface BacklineEvents {
  /** Every change in a watched band, in seq order, exactly once. */
  'band:event': BandEvent;
  'songs:changed': RowChange<Song>;
  'members:changed': RowChange<BandMembership>;
  /** A band was created or joined in another tab: it is subscribed already. */
  'band:created': { bandId: string };
  /** This user joined a band anywhere (another device, an invite accepted). */
  'band:joined': { bandId: string };
  /** This user left or was removed from a band; its events stop. */
  'band:left': { bandId: string };
  /** A watched band is subscribed and caught up. */
  'band:live': { bandId: string; lastSeq: number };
  /** Missed events were fetched after a (re)subscribe or a gap. */
  'band:caught-up': { bandId: string; count: number };
  'realtime:state-changed': ConnectionState;
  'realtime:max-retries-exceeded': ConnectionState;
  /**
   * Who is signed in changed (Backline's auth): `loaded` once the stored session is read, then
   * sign-ins and sign-outs in any tab of the scope; `expired`: the session could not be renewed.
   */
  'auth:changed': { user: AuthUser | null; reason: 'loaded' | 'signed-in' | 'signed-out' | 'expired' };
  /** The user signed out in some tab: events stopped for this profile. */
  'session:ended': { userId: string };
  /** The broker holds an expired token and writes wait for a fresh one (bindSupabaseAuth refreshes). */
  'session:refresh-needed': { userId: string };
  /** A queued write changed status (pending → sending → confirmed | conflict | failed); `removed` once it left the outbox. */
  'outbox:changed': { entry: OutboxEntry; removed: boolean };
  /** The transport changed (a dead worker replaced, or fallback to per-tab mode). */
  'transport:changed': { mode: TransportMode; reason: string; generation: number };
}

type Handler<T> = (payload: T) => void;

export class Emitter<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<Handler<never>>>();

  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const handler of this.handlers.get(type) ?? []) {
      try {
        (handler as Handler<Events[K]>)(payload);
      } catch (error) {
        // One broken listener must not stop the others from hearing the event.
        console.error(`backline: a '${String(type)}' listener threw`, error);
      }
    }
  }
}
