import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, type ConnectionState } from '../../contract/connection-state.js';
import { refusalCode } from '../../worker/core/refusal.js';
import { QUOTA_ERRORS } from '../../server/realtime/quotas.js';
import { connectionReason, outage } from '../../src/ui/state/connection-reason.js';

const down = (kind: 'reconnecting' | 'error', code: string): ConnectionState => ({
  kind,
  attempt: 1,
  nextRetryAt: kind === 'reconnecting' ? 5000 : null,
  lastError: { code, message: 'whatever the transport said', at: 1000 },
});

describe('the server’s reason for an outage', () => {
  it('recognises each of Supabase’s quota refusals and an expired token in a failure message', () => {
    expect(refusalCode(`realtime:memberships: CHANNEL_ERROR (${QUOTA_ERRORS.connections})`)).toBe(
      'too_many_connections',
    );
    // What `ws` reports for a refused upgrade: the status without the body.
    expect(
      refusalCode(
        'realtime:memberships: CHANNEL_ERROR (channel error: transport failure: Unexpected server response: 429)',
      ),
    ).toBe('too_many_connections');
    expect(refusalCode(`realtime:bands:2: CHANNEL_ERROR (${QUOTA_ERRORS.channels})`)).toBe(
      'too_many_channels',
    );
    expect(refusalCode(`realtime:bands:2: CHANNEL_ERROR (${QUOTA_ERRORS.joins})`)).toBe('too_many_joins');
    expect(refusalCode(`realtime:bands:0: CLOSED (${QUOTA_ERRORS.messages})`)).toBe('too_many_messages');
    expect(refusalCode('realtime:bands:0: CLOSED (InvalidJWTToken: Token has expired)')).toBe(
      'token_expired',
    );
  });

  it('leaves other failures to their technical codes', () => {
    expect(refusalCode('realtime:bands:0: CLOSED')).toBeUndefined();
    expect(refusalCode('heartbeat unanswered')).toBeUndefined();
    expect(refusalCode('channel error: transport failure: Unexpected server response: 503')).toBeUndefined();
  });

  it('says why while reconnecting and after retries stop, in the user’s words', () => {
    expect(connectionReason(down('reconnecting', 'too_many_connections'))).toBe(
      'The server has too many connections right now.',
    );
    expect(connectionReason(down('error', 'too_many_channels'))).toBe(
      'The server refused more channels on this connection.',
    );
    expect(connectionReason(down('reconnecting', 'too_many_joins'))).toMatch(/joined/);
    expect(connectionReason(down('reconnecting', 'too_many_messages'))).toMatch(/messages/);
    expect(connectionReason(down('reconnecting', 'token_expired'))).toBe('Your sign-in expired.');
  });

  it('says nothing for a plain network failure, or once connected again', () => {
    expect(connectionReason(down('reconnecting', 'heartbeat_timeout'))).toBeUndefined();
    expect(connectionReason(down('reconnecting', 'toString'))).toBeUndefined();
    expect(connectionReason(INITIAL_STATE)).toBeUndefined();
    const connected: ConnectionState = {
      kind: 'connected',
      since: 2000,
      attempt: 0,
      nextRetryAt: null,
      lastError: { code: 'too_many_connections', message: '', at: 1000 },
    };
    expect(connectionReason(connected)).toBeUndefined();
  });
});

describe('which part of the server is out of reach', () => {
  const connected: ConnectionState = { ...INITIAL_STATE, kind: 'connected', since: 1 };
  it('tells live updates down from saving down from both', () => {
    expect(outage(down('reconnecting', 'heartbeat_timeout'), false)).toBe('realtime');
    expect(outage(connected, true)).toBe('rest');
    expect(outage(down('error', 'heartbeat_timeout'), true)).toBe('both');
    expect(outage({ ...INITIAL_STATE, kind: 'offline' }, true)).toBe('both');
  });

  it('sees no outage while connecting for the first time or with nothing failing', () => {
    expect(outage({ ...INITIAL_STATE, kind: 'connecting' }, false)).toBe('none');
    expect(outage(connected, false)).toBe('none');
    expect(outage(undefined, false)).toBe('none');
  });
});
