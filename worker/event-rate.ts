// How many band events the broker delivers per second, over the last few seconds, for diagnostics.
import type { DeliveryMeter } from './band-feed.js';
import type { Clock } from './environment.js';

const WINDOW_MS = 5000;

export class EventRate implements DeliveryMeter {
  private times: number[] = [];

  constructor(private readonly clock: Clock) {}

  delivered(): void {
    this.times.push(this.clock.now());
  }

  perSecond(): number {
    const now = this.clock.now();
    this.times = this.times.filter((t) => now - t < WINDOW_MS);
    return this.times.length / (WINDOW_MS / 1000);
  }
}
