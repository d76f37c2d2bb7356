// The song form: a new song at the top of the page, or one song's edit in its own row, headed
// "Editing ‹title›". Escape cancels an edit. The page owns what submit and cancel do.
import { html, nothing } from 'lit';
import { SONG_TEXT_LIMITS, type Song } from '../../client/index.js';
import { parseSongForm, type SongFormFields } from '../state/song-form.js';
import { formatDuration } from '../state/song-list.js';
import './field-limit.js';

/** The form's fields, or the message saying what to fix. */
export function readFields(form: HTMLFormElement): SongFormFields | string {
  return parseSongForm((name) => (form.elements.namedItem(name) as HTMLInputElement).value);
}

const FIELD_NAMES = ['title', 'artist', 'key', 'bpm', 'duration', 'notes'] as const;

/** What was typed into an edit form, by field name: it outlives the form when the page moves it. */
export type SongDraft = Readonly<Partial<Record<(typeof FIELD_NAMES)[number], string>>>;

function draftOf(form: HTMLFormElement): SongDraft {
  return Object.fromEntries(
    FIELD_NAMES.map((name) => [name, (form.elements.namedItem(name) as HTMLInputElement).value]),
  );
}

export interface SongEditorOptions {
  /** The song being edited, or undefined for "add". */
  song: Song | undefined;
  /** Typed into this edit so far (the form may be drawn anew elsewhere, e.g. out of its row). */
  draft?: SongDraft | undefined;
  /** Hears every keystroke's draft. */
  edited?: (draft: SongDraft) => void;
  error: string | undefined;
  submit: (event: SubmitEvent) => void;
  /** Leaves the edit (Cancel, Escape); an "add" form has none. */
  cancel?: () => void;
}

export function songForm({ song, draft = {}, edited, error, submit, cancel }: SongEditorOptions): unknown {
  const escape = (event: KeyboardEvent): void => {
    if (!cancel || event.key !== 'Escape') return;
    event.preventDefault();
    cancel();
  };
  return html`<form
    class="song-form card ${song ? 'editor' : ''}"
    aria-label=${song ? `Edit ${song.title}` : 'Add a song'}
    @submit=${submit}
    @keydown=${escape}
    @input=${(event: Event) => edited?.(draftOf(event.currentTarget as HTMLFormElement))}
  >
    ${song ? html`<h2 class="wide">Editing “${song.title}”</h2>` : nothing}
    <label class="wide"
      >Title
      <input
        name="title"
        required
        maxlength=${SONG_TEXT_LIMITS.title}
        .value=${draft.title ?? song?.title ?? ''} />
      <field-limit .limit=${SONG_TEXT_LIMITS.title}></field-limit
    ></label>
    <label
      >Artist
      <input
        name="artist"
        maxlength=${SONG_TEXT_LIMITS.artist}
        .value=${draft.artist ?? song?.artist ?? ''} />
      <field-limit .limit=${SONG_TEXT_LIMITS.artist}></field-limit
    ></label>
    <label
      >Key <input name="key" maxlength=${SONG_TEXT_LIMITS.key} .value=${draft.key ?? song?.key ?? ''} />
      <field-limit .limit=${SONG_TEXT_LIMITS.key}></field-limit
    ></label>
    <label
      >BPM <input name="bpm" inputmode="numeric" .value=${draft.bpm ?? song?.bpm?.toString() ?? ''}
    /></label>
    <label
      >Length
      <input
        name="duration"
        placeholder="3:15"
        .value=${draft.duration ?? formatDuration(song?.duration_seconds ?? null)}
    /></label>
    <label class="wide"
      >Notes
      <textarea
        name="notes"
        rows="3"
        maxlength=${SONG_TEXT_LIMITS.notes}
        .value=${draft.notes ?? song?.notes ?? ''}
      ></textarea>
      <field-limit .limit=${SONG_TEXT_LIMITS.notes}></field-limit>
    </label>
    <div class="row wide">
      <button class="primary" type="submit">${song ? 'Save song' : 'Add song'}</button>
      ${cancel ? html`<button type="button" @click=${cancel}>Cancel</button>` : nothing}
    </div>
    ${error ? html`<p role="alert" class="error wide">${error}</p>` : nothing}
  </form>`;
}
