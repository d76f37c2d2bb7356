// The time for words like "2 min ago": renders its host again every `intervalMs` (15 s: the
// finest such words are minutes) while the host is connected, so they never go stale.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class Clock implements ReactiveController {
  now = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly intervalMs = 15_000,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.now = Date.now();
    this.timer = setInterval(() => {
      this.now = Date.now();
      this.host.requestUpdate();
    }, this.intervalMs);
  }

  hostUpdate(): void {
    // Any render reads the current time, not only the clock's own.
    this.now = Date.now();
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
  }
}
