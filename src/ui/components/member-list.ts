// Who is in the band: each member's name, role and when they joined, and a quiet status line
// saying who joined or left while the page was open (a polite live region, never a toast: it is
// someone else's doing).
import { html, nothing } from 'lit';
import type { BandDetails } from '../controllers/band-details.js';
import { timeAgo } from '../state/song-attribution.js';

export function memberList(details: BandDetails, now: number): unknown {
  const members = [...details.members.values()];
  return html`<section class="members" aria-labelledby="members-heading">
    <h2 id="members-heading">Members</h2>
    <ul aria-label="Members">
      ${members.map(
        (member) =>
          html`<li class="row">
            <span class="name">${member.display_name || 'A member'}</span>
            ${member.user_id === details.userId ? html`<span class="muted">(you)</span>` : nothing}
            ${member.role === 'admin' ? html`<span class="badge">Admin</span>` : nothing}
            <span class="muted">joined ${timeAgo(Date.parse(member.joined_at), now)}</span>
          </li>`,
      )}
    </ul>
    <p role="status" class="muted">${details.notice ?? ''}</p>
  </section>`;
}
