import { describe, expect, it } from 'vitest';
import { BandSequence } from '../../../worker/core/band-sequence.js';

const e = (seq: number) => ({ seq, id: `e${seq}` });
const seqs = (events: { seq: number }[]) => events.map((x) => x.seq);

describe('band sequence', () => {
  it('delivers consecutive events in order', () => {
    const band = new BandSequence(4);
    expect(seqs(band.receive([e(5), e(6)]).deliver)).toEqual([5, 6]);
    expect(band.last).toBe(6);
  });

  it('drops duplicates, counting them', () => {
    const band = new BandSequence(4);
    band.receive([e(5)]);
    const again = band.receive([e(3), e(5), e(6), e(6)]);
    expect(seqs(again.deliver)).toEqual([6]);
    expect(again.duplicates).toBe(3);
  });

  it('holds an early event and asks for a catch-up from the last delivered seq', () => {
    const band = new BandSequence(4);
    const jump = band.receive([e(7)]);
    expect(jump.deliver).toEqual([]);
    expect(jump.catchUpFrom).toBe(4);
    expect(band.buffered).toBe(1);
  });

  it('asks once while a catch-up runs, then delivers the filled hole in order', () => {
    const band = new BandSequence(4);
    band.receive([e(7)]);
    expect(band.receive([e(8)]).catchUpFrom).toBeUndefined();
    expect(seqs(band.receive([e(5), e(6), e(7)]).deliver)).toEqual([5, 6, 7, 8]);
    expect(band.endCatchUp()).toBeUndefined();
    expect(band.buffered).toBe(0);
  });

  it('asks again when a finished catch-up leaves a hole', () => {
    const band = new BandSequence(0);
    band.receive([e(3)]);
    band.receive([e(1)]);
    expect(band.endCatchUp()).toBe(1);
  });

  it('starts one catch-up per (re)subscribe, and reruns one requested while another ran', () => {
    const band = new BandSequence(9);
    expect(band.beginCatchUp()).toBe(9);
    expect(band.beginCatchUp()).toBeUndefined();
    band.receive([e(10)]);
    expect(band.endCatchUp()).toBe(10);
    expect(band.endCatchUp()).toBeUndefined();
    expect(band.beginCatchUp()).toBe(10);
  });
});
