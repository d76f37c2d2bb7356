// The user's bands: create one, join one with an invite code. Live: a band created or joined in
// another tab or device appears without a reload (the broker's band:* events). A code the server
// refuses is said once, in the join form, which keeps what was typed: it is not a band, so it
// never shows as a row in the list, and no toast repeats it.
import { LitElement, css, html, nothing } from 'lit';
import {
  BAND_TEXT_LIMITS,
  isSongWrite,
  type BandWrite,
  type OutboxEntry,
  type Band,
} from '../../client/index.js';
import { WriteQueue } from '../controllers/write-queue.js';
import { OutboxUpdates } from '../outbox-view.js';
import type { Services } from '../services.js';
import { takeForm } from '../form-values.js';
import { base } from '../styles.js';
import { syncBadge, syncBadgeStyles } from './sync-badge.js';
import './field-limit.js';

/** The bands table's check on a name (supabase/migrations). */

export class BandListPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    bands: { state: true },
    error: { state: true },
  };
  declare services: Services;
  declare bands: Band[] | undefined;
  declare error: string | undefined;
  /** A band queued from this page opens once the server has it (at once when online). */
  private readonly writes = new WriteQueue(this, {
    landed: (entry) => {
      if (entry.band) location.hash = `#/band/${entry.band.id}`;
    },
    saysRefusal: (entry) => entry.write.kind === 'band.join',
  });
  private readonly stop: (() => void)[] = [];

  constructor() {
    super();
    // The page shows this user's band writes from the outbox (created or joined offline, or refused).
    new OutboxUpdates(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const { backline } = this.services;
    const reload = (): void => void this.load();
    // A tab that moved to another broker (a new worker, or back from the back/forward cache) did
    // not hear the bus meanwhile: a band created or joined elsewhere then shows at the move.
    for (const type of ['band:created', 'band:joined', 'band:left', 'transport:changed'] as const) {
      this.stop.push(backline.on(type, reload));
    }
    void this.load();
  }

  /** Queues a band write; the form clears at once and gets its values back if it cannot be queued. */
  private async queue(write: BandWrite, form: HTMLFormElement): Promise<void> {
    const giveBack = takeForm(form);
    if (!(await this.writes.queue({ write }))) giveBack();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop.splice(0).forEach((undo) => undo());
  }

  private async load(): Promise<void> {
    try {
      this.bands = await this.services.backline.bands();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  private create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const text = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    const write: BandWrite = {
      kind: 'band.create',
      bandId: crypto.randomUUID(),
      name: text('name'),
      description: text('description'),
    };
    return this.queue(write, form);
  }

  /** The field keeps the code until the band opens: a mistyped one is there to correct. */
  private async join(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const code = (form.elements.namedItem('code') as HTMLInputElement).value.trim().toUpperCase();
    // A new try replaces the refusal of the last one.
    for (const refused of this.refusedJoins())
      void this.services.backline.resolveWrite(refused.id, 'dismiss');
    await this.writes.queue({ write: { kind: 'band.join', code } });
  }

  /** Joins the server refused (a wrong or used-up code), newest last: said in the join form. */
  private refusedJoins(): OutboxEntry[] {
    return this.services.outbox
      .values()
      .filter((entry) => entry.write.kind === 'band.join' && entry.status === 'failed')
      .sort((a, b) => a.order - b.order);
  }

  /** Band writes not on the server yet (or a band refused), as the list shows them. */
  private pendingEntries(): OutboxEntry[] {
    const known = new Set(this.bands?.map((band) => band.id));
    return this.services.outbox
      .values()
      .filter((entry) => !isSongWrite(entry.write))
      .filter((entry) => entry.write.kind !== 'band.join' || entry.status !== 'failed')
      .filter((entry) => entry.write.kind !== 'band.create' || !known.has(entry.write.bandId));
  }

  private joinForm(): unknown {
    const refused = this.refusedJoins().at(-1);
    const code = refused?.write.kind === 'band.join' ? refused.write.code : '';
    return html`<form class="card" aria-label="Join a band" @submit=${(e: SubmitEvent) => void this.join(e)}>
      <h2>Join a band</h2>
      <label
        >Invite code
        <input
          name="code"
          required
          autocapitalize="characters"
          autocomplete="off"
          aria-invalid=${refused ? 'true' : 'false'}
          aria-describedby="join-error"
      /></label>
      <p id="join-error" role="alert" class="error">
        ${refused ? `Code ${code} did not work: ${refused.error?.message ?? 'refused'}` : ''}
      </p>
      <button type="submit">Join band</button>
    </form>`;
  }

  private pendingItems(pending: OutboxEntry[]): unknown {
    return pending.map((entry) => {
      const label =
        entry.write.kind === 'band.create'
          ? entry.write.name
          : `Joining with code ${entry.write.kind === 'band.join' ? entry.write.code : ''}`;
      const failed = entry.status === 'failed';
      return html`<li class="pending" data-sync=${entry.status}>
        <span>${label}</span>
        ${syncBadge(failed ? 'failed' : 'pending')}
        ${
          failed
            ? html`<span class="why">${entry.error?.message}</span>
                <button @click=${() => void this.services.backline.resolveWrite(entry.id, 'dismiss')}>
                  Dismiss
                </button>`
            : nothing
        }
      </li>`;
    });
  }

  override render(): unknown {
    const pending = this.pendingEntries();
    return html`<main>
      <h1>Your bands</h1>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${
        this.bands === undefined
          ? html`<p class="muted">Loading…</p>`
          : this.bands.length === 0 && pending.length === 0
            ? html`<p class="muted">No bands yet: create one or join with a code.</p>`
            : html`<ul aria-label="Bands">
                ${this.bands.map((band) => html`<li><a href="#/band/${band.id}">${band.name}</a></li>`)}
                ${this.pendingItems(pending)}
              </ul>`
      }
      <div class="forms">
        <form class="card" aria-label="Create a band" @submit=${(e: SubmitEvent) => void this.create(e)}>
          <h2>Create a band</h2>
          <label
            >Band name <input name="name" required maxlength=${BAND_TEXT_LIMITS.name} />
            <field-limit .limit=${BAND_TEXT_LIMITS.name}></field-limit
          ></label>
          <label
            >Description (optional)
            <textarea name="description" rows="2" maxlength=${BAND_TEXT_LIMITS.description}></textarea>
          </label>
          <button class="primary" type="submit">Create band</button>
        </form>
        ${this.joinForm()}
      </div>
    </main>`;
  }

  static override styles = [
    base,
    syncBadgeStyles,
    css`
      ul {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      li a {
        display: block;
        padding: 0.8rem 1rem;
        border: 1px solid var(--line);
        border-radius: var(--radius);
        color: inherit;
        text-decoration: none;
        font-weight: 600;
      }
      li a:hover {
        border-color: var(--accent);
      }
      li.pending {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        padding: 0.8rem 1rem;
        border: 1px dashed var(--line);
        border-radius: var(--radius);
      }
      .why {
        flex-basis: 100%;
        color: var(--danger);
        font-size: 0.85rem;
      }
      .forms {
        display: grid;
        gap: 1rem;
        grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
        margin-top: 1.5rem;
      }
    `,
  ];
}
customElements.define('band-list-page', BandListPage);
