// The chaos room: the one current fault state of a backend, which the realtime server, the HTTP
// router and the admin routes are handed. Reads the clock it is given; the rules are ./chaos-state.ts.
import {
  NO_CHAOS,
  applyChaos,
  blackholed,
  inForce,
  latency,
  refusing,
  refusingHttp,
  type ChaosRequest,
  type ChaosState,
} from './chaos-state.js';

export class ChaosControls {
  private state: ChaosState = NO_CHAOS;

  constructor(private readonly now: () => number = Date.now) {}

  /** Switches a fault on (or all off, for `reset`); `drop` is the realtime server's to carry out. */
  apply(request: ChaosRequest): void {
    this.state = applyChaos(this.state, request, this.now());
  }

  /** Realtime sockets read, answer and deliver nothing. */
  blackholed(): boolean {
    return blackholed(this.state, this.now());
  }

  /** New realtime sockets are refused (scope realtime or all). */
  refusing(): boolean {
    return refusing(this.state, this.now());
  }

  /** REST and auth are cut off (scope rest or all). */
  refusingHttp(): boolean {
    return refusingHttp(this.state, this.now());
  }

  /** Milliseconds each realtime frame and each REST or auth request waits; 0 when off. */
  latency(): number {
    return latency(this.state, this.now());
  }

  /** The faults in force, for metrics and the admin API. */
  snapshot(): ChaosState {
    return inForce(this.state, this.now());
  }
}
