// An admin's calls through the broker against the real local backend: invite codes and the band's
// description, decided by RLS exactly as when the tab made them itself.
import { describe, expect, it } from 'vitest';
import { bandWith, signedUpClient } from '../support/backend.js';
import { useBackend } from '../support/use-backend.js';
import { signedInBroker } from '../support/node-broker.js';

const backend = useBackend();

describe('band admin calls through the broker', () => {
  it('lets the admin make, list and revoke invite codes that a member can join with, and a member see none', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const admin = await signedInBroker(backend, alice);
    const made = await admin.broker.createInvite('tab-1', bandId);
    if (!made.ok) throw new Error(made.error.message);
    expect(made.value).toMatchObject({ band_id: bandId, uses: 0 });
    const listed = await admin.broker.invites('tab-1', bandId);
    expect(listed.ok && listed.value.map((invite) => invite.code)).toContain(made.value.code);
    const member = await signedInBroker(backend, bob, { tabId: 'tab-b' });
    expect(await member.broker.invites('tab-b', bandId)).toEqual({ ok: true, value: [] });
    expect(await member.broker.createInvite('tab-b', bandId)).toEqual({
      ok: false,
      error: { code: 'request_failed', message: 'only a band admin can create invites' },
    });
    expect(await admin.broker.revokeInvite('tab-1', made.value.id)).toEqual({ ok: true, value: null });
    const after = await admin.broker.invites('tab-1', bandId);
    expect(after.ok && after.value.map((invite) => invite.id)).not.toContain(made.value.id);
    admin.close();
    member.close();
  });

  it('saves an admin’s description, refuses a member’s, and refuses one over the limit before sending it', async () => {
    const alice = await signedUpClient(backend, 'alice');
    const bob = await signedUpClient(backend, 'bob');
    const bandId = await bandWith(alice.client, [bob.client]);
    const admin = await signedInBroker(backend, alice);
    const saved = await admin.broker.describeBand('tab-1', bandId, 'Tuesdays at the hall');
    expect(saved.ok && saved.value.description).toBe('Tuesdays at the hall');
    const member = await signedInBroker(backend, bob, { tabId: 'tab-b' });
    expect(await member.broker.describeBand('tab-b', bandId, 'Mine now')).toEqual({
      ok: false,
      error: { code: 'request_failed', message: 'only a band admin can change it' },
    });
    expect(await admin.broker.describeBand('tab-1', bandId, 'x'.repeat(2001))).toMatchObject({
      ok: false,
      error: { code: 'invalid_argument' },
    });
    const { data } = await bob.client.from('bands').select('description').eq('id', bandId).single();
    expect(data?.description).toBe('Tuesdays at the hall');
    admin.close();
    member.close();
  });
});
