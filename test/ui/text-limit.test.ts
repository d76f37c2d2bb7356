import { describe, expect, it } from 'vitest';
import { limitNote, pasteWasCut } from '../../src/ui/state/text-limit.js';

describe('a field with a length limit', () => {
  it('says nothing while far from the limit, then counts', () => {
    expect(limitNote(0, 200, false)).toBe('');
    expect(limitNote(179, 200, false)).toBe('');
    expect(limitNote(180, 200, false)).toBe('180/200');
    expect(limitNote(200, 200, false)).toBe('200/200: the limit');
    expect(limitNote(11, 12, false)).toBe('11/12');
  });

  it('says when a paste was cut', () => {
    expect(limitNote(200, 200, true)).toBe('Pasted text cut to 200 characters (200/200)');
  });

  it('knows a paste was cut from the lengths, the selection it replaced included', () => {
    expect(pasteWasCut(0, 0, 5000, 200)).toBe(true);
    expect(pasteWasCut(0, 0, 200, 200)).toBe(false);
    expect(pasteWasCut(150, 0, 51, 200)).toBe(true);
    expect(pasteWasCut(150, 100, 150, 200)).toBe(false);
  });
});
