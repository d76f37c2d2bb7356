// The band's open invite codes, for its admins: make one, copy it, see when it expires and how
// many uses it has left, revoke it. The code made last on this page is the one labelled
// "Invite code", for the person about to pass it on.
import { html } from 'lit';
import type { BandInvites } from '../controllers/band-invites.js';
import { expiresIn, openInvites, usesLeft } from '../state/invite-status.js';

export function invitePanel(invites: BandInvites, now: number): unknown {
  const open = openInvites(invites.invites, now);
  return html`<section class="invites card" aria-labelledby="invites-heading">
    <h2 id="invites-heading">Invites</h2>
    <button @click=${() => void invites.create()}>Create invite code</button>
    ${
      open.length === 0
        ? html`<p class="muted">No open invites.</p>`
        : html`<ul aria-label="Open invites">
            ${open.map(
              (invite) =>
                html`<li class="row">
                  ${
                    invite.code === invites.fresh
                      ? html`<output aria-label="Invite code">${invite.code}</output>`
                      : html`<output>${invite.code}</output>`
                  }
                  <span class="muted">${expiresIn(invite, now)} · ${usesLeft(invite)}</span>
                  <button aria-label="Copy ${invite.code}" @click=${() => void invites.copy(invite)}>
                    Copy
                  </button>
                  <button
                    class="danger"
                    aria-label="Revoke ${invite.code}"
                    @click=${() => void invites.revoke(invite)}
                  >
                    Revoke
                  </button>
                </li>`,
            )}
          </ul>`
    }
    <p role="status" class="muted">${invites.copied ?? ''}</p>
  </section>`;
}
