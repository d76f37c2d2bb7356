// The user's bands: create one, join one with an invite code. Live: a band created or joined in
// another tab or device appears without a reload (the broker's band:* events).
import { LitElement, css, html, nothing } from 'lit';
import type { Band } from '../../data/database.js';
import type { Services } from '../services.js';
import { toasts } from '../state/toast-policy.js';
import { base } from '../styles.js';

export class BandListPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    bands: { state: true },
    error: { state: true },
  };
  declare services: Services;
  declare bands: Band[] | undefined;
  declare error: string | undefined;
  private readonly stop: (() => void)[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    const reload = (): void => void this.load();
    for (const type of ['band:created', 'band:joined', 'band:left'] as const) {
      this.stop.push(this.services.backline.on(type, reload));
    }
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop.splice(0).forEach((undo) => undo());
  }

  private async load(): Promise<void> {
    const { data, error } = await this.services.supabase.db.from('bands').select('*').order('name');
    if (error) this.error = error.message;
    else this.bands = data;
  }

  private async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    const { data, error } = await this.services.supabase.db.rpc('create_band', { name, description: '' });
    if (error) return this.services.toasts.show(toasts.failed('create the band', error.message));
    form.reset();
    await this.services.backline.bandAdded(data.id);
    this.services.toasts.show(toasts.bandCreated(data.name));
    location.hash = `#/band/${data.id}`;
  }

  private async join(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const code = (form.elements.namedItem('code') as HTMLInputElement).value.trim();
    const { data, error } = await this.services.supabase.db.rpc('join_band', { code });
    if (error) return this.services.toasts.show(toasts.failed('join the band', error.message));
    form.reset();
    await this.services.backline.bandAdded(data.id);
    this.services.toasts.show(toasts.bandJoined(data.name));
    location.hash = `#/band/${data.id}`;
  }

  override render(): unknown {
    return html`<main>
      <h1>Your bands</h1>
      ${this.error ? html`<p role="alert" class="error">${this.error}</p>` : nothing}
      ${
        this.bands === undefined
          ? html`<p class="muted">Loading…</p>`
          : this.bands.length === 0
            ? html`<p class="muted">No bands yet: create one or join with a code.</p>`
            : html`<ul aria-label="Bands">
                ${this.bands.map((band) => html`<li><a href="#/band/${band.id}">${band.name}</a></li>`)}
              </ul>`
      }
      <div class="forms">
        <form class="card" aria-label="Create a band" @submit=${(e: SubmitEvent) => void this.create(e)}>
          <h2>Create a band</h2>
          <label>Band name <input name="name" required maxlength="100" /></label>
          <button class="primary" type="submit">Create band</button>
        </form>
        <form class="card" aria-label="Join a band" @submit=${(e: SubmitEvent) => void this.join(e)}>
          <h2>Join a band</h2>
          <label
            >Invite code <input name="code" required autocapitalize="characters" autocomplete="off"
          /></label>
          <button type="submit">Join band</button>
        </form>
      </div>
    </main>`;
  }

  static override styles = [
    base,
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
