// The starter page `npm start` serves until the band app lands: sign in, then the songs of your
// bands, read through supabase-js from the configured backend.
import { LitElement, css, html, nothing } from 'lit';
import { createClient, type Session } from '@supabase/supabase-js';
import { supabaseConfig } from '../config.js';
import type { Database, Song } from '../data/database.js';

type BandWithSongs = { id: string; name: string; songs: Song[] };

type View =
  | { kind: 'signed-out'; error: string | undefined }
  | { kind: 'loading' }
  | { kind: 'ready'; email: string; bands: BandWithSongs[] };

const { url, anonKey } = supabaseConfig();
const supabase = createClient<Database>(url, anonKey);

function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export class DemoPage extends LitElement {
  static override properties = { view: { state: true } };
  declare view: View;

  constructor() {
    super();
    this.view = { kind: 'loading' };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void supabase.auth.getSession().then(({ data }) => this.show(data.session));
  }

  private async show(session: Session | null): Promise<void> {
    if (!session) {
      this.view = { kind: 'signed-out', error: undefined };
      return;
    }
    this.view = { kind: 'loading' };
    const [bands, songs] = await Promise.all([
      supabase.from('bands').select('id, name').order('name'),
      supabase.from('songs').select('*').is('deleted_at', null).order('title'),
    ]);
    if (bands.error || songs.error) {
      this.view = { kind: 'signed-out', error: (bands.error ?? songs.error)?.message };
      return;
    }
    this.view = {
      kind: 'ready',
      email: session.user.email ?? '',
      bands: bands.data.map((band) => ({ ...band, songs: songs.data.filter((s) => s.band_id === band.id) })),
    };
  }

  private async signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const field = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value;
    const { data, error } = await supabase.auth.signInWithPassword({
      email: field('email'),
      password: field('password'),
    });
    if (error) this.view = { kind: 'signed-out', error: error.message };
    else await this.show(data.session);
  }

  private async signOut(): Promise<void> {
    await supabase.auth.signOut();
    this.view = { kind: 'signed-out', error: undefined };
  }

  override render(): unknown {
    const view = this.view;
    switch (view.kind) {
      case 'loading':
        return html`<main><p role="status">Loading…</p></main>`;
      case 'signed-out':
        return html`<main>
          <h1>Backline</h1>
          <form @submit=${(e: SubmitEvent) => void this.signIn(e)}>
            <label>Email <input name="email" type="email" autocomplete="username" required /></label>
            <label
              >Password <input name="password" type="password" autocomplete="current-password" required
            /></label>
            <button type="submit">Sign in</button>
            ${view.error ? html`<p role="alert">${view.error}</p>` : nothing}
          </form>
          <p class="hint">Demo: alice@example.com or bob@example.com, password backline-demo</p>
        </main>`;
      case 'ready':
        return html`<main>
          <header>
            <h1>Backline</h1>
            <span>${view.email}</span>
            <button @click=${() => void this.signOut()}>Sign out</button>
          </header>
          ${view.bands.map(
            (band) =>
              html`<section aria-label=${band.name}>
                <h2>${band.name}</h2>
                <table>
                  <thead>
                    <tr>
                      <th>Title</th>
                      <th>Artist</th>
                      <th>Key</th>
                      <th>BPM</th>
                      <th>Length</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${band.songs.map(
                      (song) =>
                        html`<tr>
                          <td>${song.title}</td>
                          <td>${song.artist}</td>
                          <td>${song.key ?? ''}</td>
                          <td>${song.bpm ?? ''}</td>
                          <td>${formatDuration(song.duration_seconds)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </section>`,
          )}
        </main>`;
    }
  }

  static override styles = css`
    :host {
      display: block;
      font-family: system-ui, sans-serif;
    }
    main {
      max-width: 56rem;
      margin: 0 auto;
      padding: 1rem;
    }
    header {
      display: flex;
      gap: 1rem;
      align-items: center;
      flex-wrap: wrap;
    }
    header h1 {
      flex: 1;
    }
    form {
      display: grid;
      gap: 0.75rem;
      max-width: 22rem;
    }
    label {
      display: grid;
      gap: 0.25rem;
    }
    input,
    button {
      font: inherit;
      padding: 0.5rem;
    }
    table {
      width: 100%;
      border-collapse: collapse;
    }
    th,
    td {
      text-align: left;
      padding: 0.4rem;
      border-bottom: 1px solid #8884;
    }
    .hint {
      color: #888;
      font-size: 0.9rem;
    }
    [role='alert'] {
      color: #b91c1c;
    }
  `;
}

customElements.define('backline-demo', DemoPage);
