// One band: its songs, live (add, edit, delete), and invite codes for admins. Own actions get a
// toast; other members' changes just appear. Saving an edit checks the version it was based on,
// so two members editing one song get a conflict, never a silent overwrite.
import { LitElement, css, html, nothing } from 'lit';
import type { Band, Song } from '../../data/database.js';
import { LiveSongs } from '../controllers/live-songs.js';
import type { Services } from '../services.js';
import { formatDuration, parseDuration, visibleSongs } from '../state/song-list.js';
import { toasts } from '../state/toast-policy.js';
import { base } from '../styles.js';

type SongFields = Pick<Song, 'title' | 'artist' | 'key' | 'bpm' | 'duration_seconds'>;

function readFields(form: HTMLFormElement): SongFields | string {
  const value = (name: string): string => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  const title = value('title');
  if (!title) return 'A song needs a title';
  const bpmText = value('bpm');
  const bpm = bpmText === '' ? null : Number(bpmText);
  if (bpm !== null && (!Number.isInteger(bpm) || bpm < 20 || bpm > 400))
    return 'BPM must be a whole number from 20 to 400';
  const duration = parseDuration(value('duration'));
  if (duration === undefined) return 'Length must look like 3:15';
  return { title, artist: value('artist'), key: value('key') || null, bpm, duration_seconds: duration };
}

export class BandPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    bandId: {},
    band: { state: true },
    memberRole: { state: true },
    editing: { state: true },
    invite: { state: true },
    formError: { state: true },
  };
  declare services: Services;
  declare bandId: string;
  declare band: Band | undefined;
  declare memberRole: 'admin' | 'member' | undefined;
  /** The song being edited, as it was when editing began. */
  declare editing: Song | undefined;
  declare invite: string | undefined;
  declare formError: string | undefined;
  private live!: LiveSongs;
  private stopConflicts: (() => void) | undefined;
  private userId: string | undefined;

  override connectedCallback(): void {
    this.live = new LiveSongs(this, this.services, this.bandId);
    super.connectedCallback();
    this.stopConflicts = this.live.onChange((change) => {
      const edited = this.editing;
      if (!edited || change.record?.id !== edited.id || change.actor === this.userId) return;
      this.services.toasts.show(toasts.conflict(edited.title, () => this.refreshEditor()));
    });
    void this.loadBand();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopConflicts?.();
  }

  private async loadBand(): Promise<void> {
    const { supabase } = this.services;
    this.userId = (await supabase.auth.getSession()).data.session?.user.id;
    const [band, membership] = await Promise.all([
      supabase.from('bands').select('*').eq('id', this.bandId).maybeSingle(),
      supabase
        .from('band_memberships')
        .select('role')
        .eq('band_id', this.bandId)
        .eq('user_id', this.userId ?? '')
        .maybeSingle(),
    ]);
    this.band = band.data ?? undefined;
    this.memberRole = membership.data?.role;
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const fields = readFields(form);
    if (typeof fields === 'string') return void (this.formError = fields);
    this.formError = undefined;
    const { data, error } = await this.services.supabase
      .from('songs')
      .insert({ id: crypto.randomUUID(), band_id: this.bandId, ...fields })
      .select()
      .single();
    if (error) return this.services.toasts.show(toasts.failed('add the song', error.message));
    form.reset();
    (form.elements.namedItem('title') as HTMLInputElement).focus();
    this.live.apply({
      bandId: this.bandId,
      seq: 0,
      op: 'INSERT',
      record: data,
      oldRecord: null,
      actor: this.userId ?? null,
    });
    this.services.toasts.show(toasts.songAdded(data.title));
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const original = this.editing;
    if (!original) return;
    const fields = readFields(event.target as HTMLFormElement);
    if (typeof fields === 'string') return void (this.formError = fields);
    const { data, error } = await this.services.supabase
      .from('songs')
      .update(fields)
      .eq('id', original.id)
      .eq('version', original.version)
      .select();
    if (error) return this.services.toasts.show(toasts.failed('save the song', error.message));
    const [saved] = data;
    if (!saved) return this.services.toasts.show(toasts.conflict(original.title, () => this.refreshEditor()));
    this.live.apply({
      bandId: this.bandId,
      seq: 0,
      op: 'UPDATE',
      record: saved,
      oldRecord: original,
      actor: this.userId ?? null,
    });
    this.editing = undefined;
    this.formError = undefined;
    this.services.toasts.show(toasts.songSaved(saved.title));
  }

  /** "Refresh" on a conflict: drop my edits and show the song as it is now. */
  private refreshEditor(): void {
    const id = this.editing?.id;
    const current = id ? this.live.songs.get(id) : undefined;
    this.editing = current && current.deleted_at === null ? { ...current } : undefined;
  }

  private async deleteSong(song: Song): Promise<void> {
    const { data, error } = await this.services.supabase
      .from('songs')
      .update({ deleted_at: new Date().toISOString() })
      .eq('id', song.id)
      .eq('version', song.version)
      .select();
    if (error) return this.services.toasts.show(toasts.failed('delete the song', error.message));
    const [deleted] = data;
    if (!deleted)
      return this.services.toasts.show(toasts.conflict(song.title, () => void this.live.loadSnapshot()));
    this.live.apply({
      bandId: this.bandId,
      seq: 0,
      op: 'UPDATE',
      record: deleted,
      oldRecord: song,
      actor: this.userId ?? null,
    });
    this.services.toasts.show(toasts.songDeleted(song.title));
  }

  private async createInvite(): Promise<void> {
    const { data, error } = await this.services.supabase.rpc('create_invite', { band_id: this.bandId });
    if (error) return this.services.toasts.show(toasts.failed('create an invite', error.message));
    this.invite = data.code;
  }

  private songForm(song: Song | undefined): unknown {
    const submit = (e: SubmitEvent): void => void (song ? this.save(e) : this.add(e));
    return html`<form
      class="song-form card"
      aria-label=${song ? `Edit ${song.title}` : 'Add a song'}
      @submit=${submit}
    >
      <label class="wide"
        >Title <input name="title" required maxlength="200" .value=${song?.title ?? ''}
      /></label>
      <label>Artist <input name="artist" maxlength="200" .value=${song?.artist ?? ''} /></label>
      <label>Key <input name="key" maxlength="12" .value=${song?.key ?? ''} /></label>
      <label>BPM <input name="bpm" inputmode="numeric" .value=${song?.bpm?.toString() ?? ''} /></label>
      <label
        >Length
        <input name="duration" placeholder="3:15" .value=${formatDuration(song?.duration_seconds ?? null)}
      /></label>
      <div class="row wide">
        <button class="primary" type="submit">${song ? 'Save song' : 'Add song'}</button>
        ${song ? html`<button type="button" @click=${() => (this.editing = undefined)}>Cancel</button>` : nothing}
      </div>
      ${this.formError ? html`<p role="alert" class="error wide">${this.formError}</p>` : nothing}
    </form>`;
  }

  override render(): unknown {
    const { status } = this.live;
    const songs = visibleSongs(this.live.songs);
    return html`<main>
      <p><a href="#/">← Your bands</a></p>
      <h1>${this.band?.name ?? 'Band'}</h1>
      ${status === 'left' ? html`<p role="alert" class="error">You are no longer a member of this band.</p>` : nothing}
      ${status === 'error' ? html`<p role="alert" class="error">${this.live.error}</p>` : nothing}
      ${
        this.memberRole === 'admin'
          ? html`<div class="row invite">
              <button @click=${() => void this.createInvite()}>Create invite code</button>
              ${this.invite ? html`<span>Invite code: <output aria-label="Invite code">${this.invite}</output></span>` : nothing}
            </div>`
          : nothing
      }
      ${this.editing ? this.songForm(this.editing) : this.songForm(undefined)}
      ${
        status === 'loading'
          ? html`<p class="muted">Loading songs…</p>`
          : html`<table aria-label="Songs">
                <thead>
                  <tr>
                    <th>Title</th>
                    <th>Artist</th>
                    <th>Key</th>
                    <th>BPM</th>
                    <th>Length</th>
                    <th><span class="sr">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${songs.map(
                    (song) =>
                      html`<tr>
                        <td data-label="Title">${song.title}</td>
                        <td data-label="Artist">${song.artist}</td>
                        <td data-label="Key">${song.key ?? ''}</td>
                        <td data-label="BPM">${song.bpm ?? ''}</td>
                        <td data-label="Length">${formatDuration(song.duration_seconds)}</td>
                        <td class="actions">
                          <button
                            aria-label="Edit ${song.title}"
                            @click=${() => (this.editing = { ...song })}
                          >
                            Edit
                          </button>
                          <button
                            class="danger"
                            aria-label="Delete ${song.title}"
                            @click=${() => void this.deleteSong(song)}
                          >
                            Delete
                          </button>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${songs.length === 0 ? html`<p class="muted">No songs yet.</p>` : nothing}`
      }
    </main>`;
  }

  static override styles = [
    base,
    css`
      a {
        color: var(--accent);
      }
      .invite {
        margin-bottom: 1rem;
      }
      output {
        font-family: ui-monospace, monospace;
        font-weight: 700;
        letter-spacing: 0.05em;
      }
      .song-form {
        grid-template-columns: repeat(4, 1fr);
        margin-bottom: 1rem;
      }
      .song-form .wide {
        grid-column: 1 / -1;
      }
      table {
        width: 100%;
        border-collapse: collapse;
      }
      th,
      td {
        text-align: left;
        padding: 0.5rem;
        border-bottom: 1px solid var(--line);
      }
      .actions {
        white-space: nowrap;
        text-align: right;
      }
      .sr {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
      @media (max-width: 640px) {
        .song-form {
          grid-template-columns: 1fr 1fr;
        }
        thead {
          display: none;
        }
        tr {
          display: grid;
          grid-template-columns: 1fr 1fr;
          border-bottom: 1px solid var(--line);
          padding: 0.5rem 0;
        }
        td {
          border: none;
          padding: 0.15rem 0.25rem;
        }
        td[data-label='Title'] {
          grid-column: 1 / -1;
          font-weight: 600;
        }
        .actions {
          grid-column: 1 / -1;
          text-align: left;
        }
      }
    `,
  ];
}
customElements.define('band-page', BandPage);
