// One band: its songs, live (add, edit, delete), and invite codes for admins. Own actions get a
// toast; other members' changes just appear. Saving an edit checks the version it was based on,
// so two members editing one song get a conflict, never a silent overwrite.
import { LitElement, html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { SONG_TEXT_LIMITS, type Song, type SongWrite } from '../../client/index.js';
import { BandDetails } from '../controllers/band-details.js';
import { LiveSongs } from '../controllers/live-songs.js';
import { WriteQueue } from '../controllers/write-queue.js';
import { OutboxUpdates } from '../outbox-view.js';
import type { Services } from '../services.js';
import { parseSongForm, type SongFormFields } from '../state/song-form.js';
import { formatDuration, withPending, type SongRow } from '../state/song-list.js';
import { takeForm } from '../form-values.js';
import { EDITING_TOAST_KEY, editConflictToast, toasts } from '../state/toast-policy.js';
import { base } from '../styles.js';
import { bandPageStyles } from './band-page-styles.js';

/** The form's fields, or the message saying what to fix. */
function readFields(form: HTMLFormElement): SongFormFields | string {
  return parseSongForm((name) => (form.elements.namedItem(name) as HTMLInputElement).value);
}

const SYNC_LABELS: Record<Exclude<SongRow['sync'], 'synced' | 'confirmed'>, string> = {
  pending: 'Waiting to sync',
  sending: 'Syncing…',
  conflict: 'Conflict',
  failed: 'Not saved',
};

function syncBadge(row: SongRow): unknown {
  if (row.sync === 'synced' || row.sync === 'confirmed') return nothing;
  const title = row.entry?.error?.message ?? SYNC_LABELS[row.sync];
  const badge = html`<span class="badge ${row.sync}" title=${title}>${SYNC_LABELS[row.sync]}</span>`;
  // The server's reason stays on the row until dismissed, also after a reload (no toast then).
  return row.sync === 'failed' && row.entry?.error
    ? html`${badge} <span class="why">${row.entry.error.message}</span>`
    : badge;
}

export class BandPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    bandId: {},
    editing: { state: true },
    invite: { state: true },
    formError: { state: true },
  };
  declare services: Services;
  declare bandId: string;
  /** The song being edited, as it was when editing began. */
  declare editing: Song | undefined;
  declare invite: string | undefined;
  declare formError: string | undefined;
  private readonly details = new BandDetails(this);
  private readonly writes = new WriteQueue(this, { nameOf: (userId) => this.details.nameOf(userId) });
  private live!: LiveSongs;
  private stopConflicts: (() => void) | undefined;

  constructor() {
    super();
    new OutboxUpdates(this);
  }

  override connectedCallback(): void {
    this.live = new LiveSongs(this, this.services, this.bandId);
    super.connectedCallback();
    this.stopConflicts = this.live.onChange((change) => {
      const toast = editConflictToast(
        change,
        this.editing,
        this.details.userId,
        (userId) => this.details.nameOf(userId),
        () => this.refreshEditor(),
      );
      if (toast) this.services.toasts.show(toast);
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopConflicts?.();
    this.services.toasts.dismissKey(EDITING_TOAST_KEY);
  }

  private async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const fields = readFields(form);
    if (typeof fields === 'string') return void (this.formError = fields);
    this.formError = undefined;
    // On a slow disk the user may type the next song before this one is queued.
    const giveBack = takeForm(form);
    (form.elements.namedItem('title') as HTMLInputElement).focus();
    const queued = await this.writes.queue({
      write: { kind: 'song.insert', songId: crypto.randomUUID(), bandId: this.bandId, fields },
      title: fields.title,
    });
    // Not queued (the toast says why): the song goes back into the form to try again.
    if (!queued) giveBack();
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const original = this.editing;
    if (!original) return;
    const fields = readFields(event.target as HTMLFormElement);
    if (typeof fields === 'string') return void (this.formError = fields);
    const write: SongWrite = {
      kind: 'song.update',
      songId: original.id,
      bandId: this.bandId,
      baseVersion: original.version,
      fields,
    };
    if (!(await this.writes.queue({ write, title: fields.title }))) return;
    this.stopEditing();
    this.formError = undefined;
  }

  /** Editing ends (saved or cancelled): a warning about the copy being edited no longer holds. */
  private stopEditing(): void {
    this.editing = undefined;
    this.services.toasts.dismissKey(EDITING_TOAST_KEY);
  }

  /** "Refresh" on a conflict while editing: drop my edits and show the song as it is now. */
  private refreshEditor(): void {
    const id = this.editing?.id;
    const current = id ? this.live.songs.get(id) : undefined;
    this.editing = current && current.deleted_at === null ? { ...current } : undefined;
  }

  /** Deletes at once and says so with Undo, which restores it (or re-queues an insert never sent). */
  private async deleteSong({ song, entry }: SongRow): Promise<void> {
    const { id: songId, title } = song;
    // An insert never tried folds away with its delete: Undo queues it again.
    const unsent =
      entry?.write.kind === 'song.insert' && entry.status === 'pending' && entry.attempts === 0
        ? entry.write
        : undefined;
    const deleted = await this.writes.queue({
      write: { kind: 'song.delete', songId, bandId: this.bandId, baseVersion: song.version },
      title,
    });
    if (!deleted) return;
    // The delete makes version + 1 (chained after any write still open): the restore is based on that.
    const undo: SongWrite = unsent ?? {
      kind: 'song.restore',
      songId,
      bandId: this.bandId,
      baseVersion: song.version + 1,
    };
    this.services.toasts.show(
      toasts.songDeleted(songId, title, () => void this.writes.queue({ write: undo, title })),
    );
  }

  /** On the row as well as in the toast: the choice outlives the tab that made the edit. */
  private conflictActions(row: SongRow): unknown {
    const entry = row.entry;
    if (!entry) return nothing;
    const choose = (choice: 'refresh' | 'keep-mine'): void =>
      void this.services.backline.resolveWrite(entry.id, choice);
    // Their delete: Restore puts the song back with my change, Discard drops my change.
    const deleted = !entry.theirs || entry.theirs.deleted_at !== null;
    const [drop, keep] = deleted ? ['Discard', 'Restore'] : ['Refresh', 'Keep mine'];
    return html`<button aria-label="${drop} ${row.song.title}" @click=${() => choose('refresh')}>
        ${drop}
      </button>
      ${entry.theirs ? html`<button aria-label="${keep}: ${row.song.title}" @click=${() => choose('keep-mine')}>${keep}</button>` : nothing}`;
  }

  private dismiss(row: SongRow): void {
    if (row.entry) void this.services.backline.resolveWrite(row.entry.id, 'dismiss');
  }

  private async createInvite(): Promise<void> {
    const { data, error } = await this.services.supabase.db.rpc('create_invite', { band_id: this.bandId });
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
        >Title <input name="title" required maxlength=${SONG_TEXT_LIMITS.title} .value=${song?.title ?? ''}
      /></label>
      <label
        >Artist <input name="artist" maxlength=${SONG_TEXT_LIMITS.artist} .value=${song?.artist ?? ''}
      /></label>
      <label>Key <input name="key" maxlength=${SONG_TEXT_LIMITS.key} .value=${song?.key ?? ''} /></label>
      <label>BPM <input name="bpm" inputmode="numeric" .value=${song?.bpm?.toString() ?? ''} /></label>
      <label
        >Length
        <input name="duration" placeholder="3:15" .value=${formatDuration(song?.duration_seconds ?? null)}
      /></label>
      <div class="row wide">
        <button class="primary" type="submit">${song ? 'Save song' : 'Add song'}</button>
        ${song ? html`<button type="button" @click=${() => this.stopEditing()}>Cancel</button>` : nothing}
      </div>
      ${this.formError ? html`<p role="alert" class="error wide">${this.formError}</p>` : nothing}
    </form>`;
  }

  override render(): unknown {
    const { status } = this.live;
    const rows = withPending(this.live.songs, this.services.outbox.values(), this.bandId);
    return html`<main>
      <p><a href="#/">← Your bands</a></p>
      <h1>${this.details.band?.name ?? 'Band'}</h1>
      ${status === 'left' ? html`<p role="alert" class="error">You are no longer a member of this band.</p>` : nothing}
      ${status === 'error' ? html`<p role="alert" class="error">${this.live.error}</p>` : nothing}
      ${
        this.details.role === 'admin'
          ? html`<div class="row invite">
              <button @click=${() => void this.createInvite()}>Create invite code</button>
              ${this.invite ? html`<span>Invite code: <output aria-label="Invite code">${this.invite}</output></span>` : nothing}
            </div>`
          : nothing
      }
      ${
        // A fresh form per song (and for "add"): what was typed into one never shows up in the next.
        keyed(this.editing?.id ?? 'new', this.songForm(this.editing))
      }
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
                  ${rows.map(
                    (row) =>
                      html`<tr data-sync=${row.sync}>
                        <td data-label="Title">${row.song.title} ${syncBadge(row)}</td>
                        <td data-label="Artist">${row.song.artist}</td>
                        <td data-label="Key">${row.song.key ?? ''}</td>
                        <td data-label="BPM">${row.song.bpm ?? ''}</td>
                        <td data-label="Length">${formatDuration(row.song.duration_seconds)}</td>
                        <td class="actions">
                          ${
                            row.sync === 'failed'
                              ? html`<button @click=${() => this.dismiss(row)}>Dismiss</button>`
                              : row.sync === 'conflict'
                                ? this.conflictActions(row)
                                : html`<button
                                      aria-label="Edit ${row.song.title}"
                                      @click=${() => (this.editing = { ...row.song })}
                                    >
                                      Edit
                                    </button>
                                    <button
                                      class="danger"
                                      aria-label="Delete ${row.song.title}"
                                      @click=${() => void this.deleteSong(row)}
                                    >
                                      Delete
                                    </button>`
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
              ${rows.length === 0 ? html`<p class="muted">No songs yet.</p>` : nothing}`
      }
    </main>`;
  }

  static override styles = [base, bandPageStyles];
}
customElements.define('band-page', BandPage);
