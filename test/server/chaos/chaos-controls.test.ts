// The chaos room on an injected clock: each fault ends by itself, scopes cut only what they name,
// reset ends everything. No backend.
import { beforeEach, describe, expect, it } from 'vitest';
import { ChaosControls } from '../../../server/chaos/chaos-controls.js';
import { NO_CHAOS } from '../../../server/chaos/chaos-state.js';

let now: number;
let chaos: ChaosControls;
beforeEach(() => {
  now = 1_000_000;
  chaos = new ChaosControls(() => now);
});

describe('ChaosControls', () => {
  it('starts with no fault in force', () => {
    expect(chaos.snapshot()).toEqual(NO_CHAOS);
    expect(chaos.blackholed()).toBe(false);
    expect(chaos.refusing()).toBe(false);
    expect(chaos.refusingHttp()).toBe(false);
    expect(chaos.latency()).toBe(0);
  });

  it('a blackhole ends by itself when its time is up', () => {
    chaos.apply({ action: 'blackhole', ms: 500 });
    expect(chaos.blackholed()).toBe(true);
    expect(chaos.snapshot().blackholeUntil).toBe(1_000_500);
    now += 499;
    expect(chaos.blackholed()).toBe(true);
    now += 1;
    expect(chaos.blackholed()).toBe(false);
    expect(chaos.snapshot()).toEqual(NO_CHAOS);
  });

  it('refuse with scope rest refuses HTTP but not realtime', () => {
    chaos.apply({ action: 'refuse', ms: 1000, scope: 'rest' });
    expect(chaos.refusingHttp()).toBe(true);
    expect(chaos.refusing()).toBe(false);
    now += 1000;
    expect(chaos.refusingHttp()).toBe(false);
  });

  it('refuse defaults to realtime only; scope all refuses both', () => {
    chaos.apply({ action: 'refuse', ms: 1000 });
    expect(chaos.refusing()).toBe(true);
    expect(chaos.refusingHttp()).toBe(false);
    chaos.apply({ action: 'refuse', ms: 1000, scope: 'all' });
    expect(chaos.refusing()).toBe(true);
    expect(chaos.refusingHttp()).toBe(true);
  });

  it('latency applies only until its duration ends', () => {
    chaos.apply({ action: 'latency', ms: 200, duration_ms: 3000 });
    expect(chaos.latency()).toBe(200);
    now += 2999;
    expect(chaos.latency()).toBe(200);
    now += 1;
    expect(chaos.latency()).toBe(0);
    expect(chaos.snapshot().latencyMs).toBe(0);
  });

  it('reset ends every fault', () => {
    chaos.apply({ action: 'blackhole', ms: 10_000 });
    chaos.apply({ action: 'refuse', ms: 10_000, scope: 'all' });
    chaos.apply({ action: 'latency', ms: 100, duration_ms: 10_000 });
    chaos.apply({ action: 'reset' });
    expect(chaos.blackholed()).toBe(false);
    expect(chaos.refusing()).toBe(false);
    expect(chaos.refusingHttp()).toBe(false);
    expect(chaos.latency()).toBe(0);
    expect(chaos.snapshot()).toEqual(NO_CHAOS);
  });

  it('drop leaves the faults as they were (the realtime server drops the sockets)', () => {
    chaos.apply({ action: 'blackhole', ms: 1000 });
    const before = chaos.snapshot();
    chaos.apply({ action: 'drop' });
    expect(chaos.snapshot()).toEqual(before);
  });
});
