// Backline's public API for apps.
export { BacklineClient, BacklineError, type BacklineOptions, type Watch } from './backline.js';
export { bindSupabaseAuth } from './supabase-auth.js';
export type { BacklineEvents, RowChange } from './events.js';
export type { ConnectionState, ConnectionKind } from '../../worker/core/connection-state.js';
export type {
  BandLive,
  ConflictChoice,
  Diagnostics,
  OutboxEntry,
  SessionInfo,
  TransportMode,
  Write,
} from '../../worker/protocol.js';
export { isSongWrite, type BandWrite, type SongWrite } from '../../worker/outbox/outbox-queue.js';
