// One band: its songs, live (add, edit in place, delete, sort, search), its members and, for
// admins, its invite codes. Own actions get a toast; other members' changes just appear. Saving an
// edit checks the version it was based on, so two members editing one song get a conflict, never
// a silent overwrite. This file is the page's layout and its writes; the parts render elsewhere.
import { LitElement, html, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { Song, SongWrite } from '../../client/index.js';
import { BandDetails } from '../controllers/band-details.js';
import { BandInvites } from '../controllers/band-invites.js';
import { Clock } from '../controllers/clock.js';
import { LiveSongs } from '../controllers/live-songs.js';
import { WriteQueue } from '../controllers/write-queue.js';
import { OutboxUpdates } from '../outbox-view.js';
import type { Services } from '../services.js';
import { songAttribution } from '../state/song-attribution.js';
import { withPending, type SongRow } from '../state/song-list.js';
import { DEFAULT_SORT, filterRows, sortBy, sortRows, type SongSort } from '../state/song-order.js';
import { takeForm } from '../form-values.js';
import { EDITING_TOAST_KEY, editConflictToast, toasts } from '../state/toast-policy.js';
import { base } from '../styles.js';
import { bandDescription } from './band-description.js';
import { bandPageStyles } from './band-page-styles.js';
import { syncBadgeStyles } from './sync-badge.js';
import { invitePanel } from './invite-panel.js';
import { memberList } from './member-list.js';
import { readFields, songForm, type SongDraft } from './song-editor.js';
import { songTable } from './song-table.js';

/** Where focus goes once the page has rendered: into an edit just begun, or back to its row. */
type FocusTarget = { kind: 'editor' } | { kind: 'edit-button'; songId: string };

export class BandPage extends LitElement {
  static override properties = {
    services: { attribute: false },
    bandId: {},
    editing: { state: true },
    formError: { state: true },
    editError: { state: true },
    sort: { state: true },
    search: { state: true },
    describing: { state: true },
  };
  declare services: Services;
  declare bandId: string;
  /** The song being edited, as it was when editing began. */
  declare editing: Song | undefined;
  /** What to fix in the "add" form. */
  declare formError: string | undefined;
  /** What to fix in the edit form. */
  declare editError: string | undefined;
  declare sort: SongSort;
  declare search: string;
  /** An admin is changing the band's description. */
  declare describing: boolean;
  private readonly details = new BandDetails(this);
  private readonly invites = new BandInvites(this);
  private readonly clock = new Clock(this);
  private readonly writes = new WriteQueue(this, { nameOf: (userId) => this.details.nameOf(userId) });
  private live!: LiveSongs;
  private stopConflicts: (() => void) | undefined;
  private focusTarget: FocusTarget | undefined;
  /** Songs added from this page, newest first: listed first, where the user is looking. */
  private addedHere: string[] = [];
  /** What was typed into the edit form: kept when the form moves (its song deleted meanwhile). */
  private draft: SongDraft | undefined;

  constructor() {
    super();
    new OutboxUpdates(this);
    this.sort = DEFAULT_SORT;
    this.search = '';
    this.describing = false;
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
    this.services.toasts.dismissKey(EDITING_TOAST_KEY);
    this.stopConflicts?.();
  }

  override updated(): void {
    const target = this.focusTarget;
    this.focusTarget = undefined;
    if (target?.kind === 'editor') {
      const form = this.renderRoot.querySelector<HTMLFormElement>('form.editor');
      (form?.elements.namedItem('title') as HTMLInputElement | null)?.focus({ preventScroll: true });
      form?.scrollIntoView({ block: 'nearest' });
    } else if (target?.kind === 'edit-button') {
      const button = this.renderRoot.querySelector<HTMLButtonElement>(
        `button[data-edit="${CSS.escape(target.songId)}"]`,
      );
      button?.focus();
    }
  }

  private startEditing(song: Song): void {
    this.editing = { ...song };
    this.draft = undefined;
    this.editError = undefined;
    this.focusTarget = { kind: 'editor' };
  }

  /**
   * Saved or cancelled: the form goes, focus returns to the song's Edit button, and a warning about
   * the copy being edited no longer holds.
   */
  private stopEditing(): void {
    if (this.editing) this.focusTarget = { kind: 'edit-button', songId: this.editing.id };
    this.editing = undefined;
    this.draft = undefined;
    this.editError = undefined;
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
    const songId = crypto.randomUUID();
    this.addedHere = [songId, ...this.addedHere];
    const queued = await this.writes.queue({
      write: { kind: 'song.insert', songId, bandId: this.bandId, fields },
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
    if (typeof fields === 'string') return void (this.editError = fields);
    const write: SongWrite = {
      kind: 'song.update',
      songId: original.id,
      bandId: this.bandId,
      baseVersion: original.version,
      fields,
    };
    if (!(await this.writes.queue({ write, title: fields.title }))) return;
    this.stopEditing();
  }

  /** "Refresh" on a conflict while editing: drop my edits and show the song as it is now. */
  private refreshEditor(): void {
    const id = this.editing?.id;
    const current = id ? this.live.songs.get(id) : undefined;
    this.editing = current && current.deleted_at === null ? { ...current } : undefined;
    this.draft = undefined;
  }

  private async describe(description: string): Promise<void> {
    const reason = await this.details.describe(description);
    if (reason) return this.services.toasts.show(toasts.failed('save the description', reason));
    this.describing = false;
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

  private rowActions(row: SongRow): unknown {
    if (row.sync === 'failed') return html`<button @click=${() => this.dismiss(row)}>Dismiss</button>`;
    if (row.sync === 'conflict') return this.conflictActions(row);
    return html`<button
        aria-label="Edit ${row.song.title}"
        data-edit=${row.song.id}
        @click=${() => this.startEditing(row.song)}
      >
        Edit
      </button>
      <button class="danger" aria-label="Delete ${row.song.title}" @click=${() => void this.deleteSong(row)}>
        Delete
      </button>`;
  }

  private editor(song: Song): unknown {
    // A fresh form per song: what was typed into one never shows up in the next.
    return keyed(
      song.id,
      songForm({
        song,
        draft: this.draft,
        edited: (draft) => (this.draft = draft),
        error: this.editError,
        submit: (e) => void this.save(e),
        cancel: () => this.stopEditing(),
      }),
    );
  }

  private songs(): unknown {
    const all = withPending(this.live.songs, this.services.outbox.values(), this.bandId);
    const rows = sortRows(filterRows(all, this.search), this.sort, this.addedHere);
    const editing = this.editing;
    // A song edited in its row; one the list does not show (deleted meanwhile, or not matching the
    // search) is edited above the list instead, so the typing is never lost.
    const inRow = editing && rows.some((row) => row.song.id === editing.id);
    return html`${editing && !inRow ? this.editor(editing) : nothing}
    ${songTable({
      rows,
      total: all.length,
      sort: this.sort,
      search: this.search,
      sorted: (column, direction) => {
        this.sort = direction ? { column, direction } : sortBy(this.sort, column);
        // The user chose an order: it holds for the songs added here too.
        this.addedHere = [];
      },
      searched: (query) => (this.search = query),
      editing: editing && inRow ? { songId: editing.id, form: this.editor(editing) } : undefined,
      attribution: (row) => songAttribution(row.song, (id) => this.details.nameOf(id), this.clock.now),
      actions: (row) => this.rowActions(row),
    })}`;
  }

  override render(): unknown {
    const { status } = this.live;
    const band = this.details.band;
    return html`<main>
      <p><a href="#/">← Your bands</a></p>
      <h1>${band?.name ?? 'Band'}</h1>
      ${bandDescription({
        band,
        canEdit: this.details.role === 'admin',
        editing: this.describing,
        edit: () => (this.describing = true),
        save: (description) => void this.describe(description),
        cancel: () => (this.describing = false),
      })}
      ${status === 'left' ? html`<p role="alert" class="error">You are no longer a member of this band.</p>` : nothing}
      ${status === 'error' ? html`<p role="alert" class="error">${this.live.error}</p>` : nothing}
      <div class="band-layout">
        <div class="songs">
          ${songForm({
            song: undefined,
            error: this.formError,
            submit: (e) => void this.add(e),
          })}
          ${status === 'loading' ? html`<p class="muted">Loading songs…</p>` : this.songs()}
        </div>
        <aside>
          ${memberList(this.details, this.clock.now)}
          ${this.details.role === 'admin' ? invitePanel(this.invites, this.clock.now) : nothing}
        </aside>
      </div>
    </main>`;
  }

  static override styles = [base, syncBadgeStyles, bandPageStyles];
}
customElements.define('band-page', BandPage);
