// Backline's public API for apps: the client, its events, and the contract types they carry.
// The UI imports from here only.
export { BacklineClient, type Watch } from './backline.js';
export { BacklineError, type BacklineErrorCode, type ClientErrorCode } from './errors.js';
export type { BacklineOptions } from './options.js';
export { bindSupabaseAuth } from './supabase-auth.js';
export type { BacklineEvents, RowChange } from './events.js';
export { assertNever } from '../../contract/assert-never.js';
export type { ConnectionError, ConnectionKind, ConnectionState } from '../../contract/connection-state.js';
export type {
  AuthUser,
  BandDiagnostics,
  BandLive,
  BandRows,
  ConflictChoice,
  Diagnostics,
  OutboxChange,
  SessionInfo,
  SignUpRequest,
  TransportMode,
  UserDiagnostics,
} from '../../contract/protocol.js';
export type { RefusalCode } from '../../contract/refusal-codes.js';
export { BAND_TEXT_LIMITS, SONG_NUMBER_RANGES, SONG_TEXT_LIMITS } from '../../contract/song-limits.js';
export type { Band, BandEvent, BandMembership, InviteCode, Song } from '../../contract/schema.js';
export {
  isSongWrite,
  type BandWrite,
  type OutboxEntry,
  type OutboxStatus,
  type SongFields,
  type SongWrite,
  type Write,
} from '../../contract/writes.js';
