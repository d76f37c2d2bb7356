// The client's errors: one class whose code an app can act on, either the broker's (they cross
// the worker boundary as `Result` values) or the client's own; and the one place a `Result` is
// turned back into its value or a thrown BacklineError.
import type { BrokerErrorCode, Result } from '../../contract/protocol.js';

/**
 * The client's own codes. `timeout`: a broker did not answer the handshake or a ping in time.
 * `worker_failed`: the SharedWorker could not load its script. `closed`: the client was closed,
 * or no broker could be started after its worker died.
 */
export type ClientErrorCode = 'timeout' | 'worker_failed' | 'closed';

export type BacklineErrorCode = BrokerErrorCode | ClientErrorCode;

export class BacklineError extends Error {
  constructor(
    readonly code: BacklineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A broker's answer as its value, or its error rebuilt as a BacklineError and thrown. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new BacklineError(result.error.code, result.error.message);
  return result.value;
}
