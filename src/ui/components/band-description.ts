// The band's description under its name, and for admins a small form to change it (Escape
// cancels). The page owns whether the form is open and what saving does.
import { html, nothing } from 'lit';
import { BAND_TEXT_LIMITS, type Band } from '../../client/index.js';

export interface BandDescriptionOptions {
  band: Band | undefined;
  canEdit: boolean;
  editing: boolean;
  edit: () => void;
  save: (description: string) => void;
  cancel: () => void;
}

export function bandDescription({
  band,
  canEdit,
  editing,
  edit,
  save,
  cancel,
}: BandDescriptionOptions): unknown {
  if (!band) return nothing;
  if (editing) {
    const submit = (event: SubmitEvent): void => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      save((form.elements.namedItem('description') as HTMLTextAreaElement).value.trim());
    };
    const escape = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      cancel();
    };
    return html`<form
      class="description-form"
      aria-label="Band description"
      @submit=${submit}
      @keydown=${escape}
    >
      <label
        >Description
        <textarea
          name="description"
          rows="3"
          maxlength=${BAND_TEXT_LIMITS.description}
          .value=${band.description}
        ></textarea>
      </label>
      <div class="row">
        <button class="primary" type="submit">Save description</button>
        <button type="button" @click=${cancel}>Cancel</button>
      </div>
    </form>`;
  }
  return html`<div class="row description-line">
    ${band.description ? html`<p class="description">${band.description}</p>` : nothing}
    ${
      canEdit
        ? html`<button class="link" @click=${edit}>
            ${band.description ? 'Edit description' : 'Add a description'}
          </button>`
        : nothing
    }
  </div>`;
}
