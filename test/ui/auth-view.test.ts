import { describe, expect, it } from 'vitest';
import { LOADING, reduceAuthView, unsentWarning, type AuthView } from '../../src/ui/state/auth-view.js';
import { outboxEntry } from './fixtures.js';

const session = { user: 'alice' };
const signedIn: AuthView<typeof session> = { kind: 'signed-in', session };

describe('which screen a sign-out leads to', () => {
  it('goes straight to the sign-in page after a sign-out this tab asked for', () => {
    const asked = reduceAuthView(signedIn, { type: 'sign-out-asked' });
    expect(reduceAuthView(asked, { type: 'session', session: null })).toEqual({
      kind: 'signed-out',
      why: undefined,
    });
  });

  it('keeps the page after a sign-out in another tab, until the user leaves it, then says why', () => {
    const ended = reduceAuthView(signedIn, { type: 'session', session: null });
    expect(ended).toEqual({ kind: 'ended-elsewhere', session, why: 'elsewhere' });
    expect(reduceAuthView(ended, { type: 'session', session: null })).toBe(ended);
    expect(reduceAuthView(ended, { type: 'left' })).toEqual({ kind: 'signed-out', why: 'elsewhere' });
  });

  it('says the session expired, not that another tab signed out, when its renewal was refused', () => {
    const ended = reduceAuthView(signedIn, { type: 'session', session: null, expired: true });
    expect(ended).toEqual({ kind: 'ended-elsewhere', session, why: 'expired' });
    expect(reduceAuthView(ended, { type: 'left' })).toEqual({ kind: 'signed-out', why: 'expired' });
  });

  it('shows the sign-in page, with no reason, when nobody was signed in at load', () => {
    expect(reduceAuthView(LOADING, { type: 'session', session: null })).toEqual({
      kind: 'signed-out',
      why: undefined,
    });
    expect(reduceAuthView(LOADING, { type: 'left' })).toBe(LOADING);
  });

  it('is signed in again on any session, and back to signed in if the sign-out failed', () => {
    const ended = reduceAuthView(signedIn, { type: 'session', session: null });
    expect(reduceAuthView(ended, { type: 'session', session })).toEqual(signedIn);
    const asked = reduceAuthView(signedIn, { type: 'sign-out-asked' });
    expect(reduceAuthView(asked, { type: 'sign-out-failed' })).toEqual(signedIn);
  });
});

describe('the sign-out warning', () => {
  it('asks nothing when every change is on the server', () => {
    expect(unsentWarning([])).toBeUndefined();
    expect(unsentWarning([outboxEntry('a', 'confirmed')])).toBeUndefined();
  });

  it('says the changes stay on this device and go when the user signs in again here', () => {
    expect(unsentWarning([outboxEntry('a', 'pending')])).toBe(
      '1 change is not saved to the server yet. It stays on this device and is sent when you sign in again here; until then nobody else sees it.',
    );
    const three = unsentWarning([
      outboxEntry('a', 'pending'),
      outboxEntry('b', 'sending'),
      outboxEntry('c', 'conflict'),
    ]);
    expect(three).toMatch(/^3 changes are not saved to the server yet\. They stay on this device/);
    expect(three).toContain('One needs your choice first');
  });
});
