// The note under a field with a length limit, put inside the field's <label>: it listens to the
// field's typing and pasting, and says the count near the limit and when a paste was cut, politely
// (aria-live), so a screen reader hears it without losing its place.
import { LitElement, css, html } from 'lit';
import { limitNote, pasteWasCut } from '../state/text-limit.js';

type Field = HTMLInputElement | HTMLTextAreaElement;

export class FieldLimit extends LitElement {
  static override properties = {
    limit: { type: Number },
    length: { state: true },
    cut: { state: true },
  };
  declare limit: number;
  declare length: number;
  /** Whether the text now in the field is a paste cut short. */
  declare cut: boolean;
  /** Set by a paste that does not fit, taken by the input event that follows it. */
  private pasteCut = false;
  private readonly stop: (() => void)[] = [];

  constructor() {
    super();
    this.length = 0;
    this.cut = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const field = this.parentElement?.querySelector<Field>('input, textarea');
    if (!field) return;
    const listen = <K extends keyof HTMLElementEventMap>(
      target: HTMLElement,
      type: K,
      handler: (event: HTMLElementEventMap[K]) => void,
    ): void => {
      target.addEventListener(type, handler);
      this.stop.push(() => target.removeEventListener(type, handler));
    };
    listen(field, 'paste', (event) => {
      const selected = (field.selectionEnd ?? 0) - (field.selectionStart ?? 0);
      const pasted = event.clipboardData?.getData('text/plain').length ?? 0;
      this.pasteCut = pasteWasCut(field.value.length, selected, pasted, this.limit);
    });
    listen(field, 'input', () => {
      this.length = field.value.length;
      this.cut = this.pasteCut;
      this.pasteCut = false;
    });
    // form.reset() (a song taken for saving) empties the field without an input event.
    const form = field.form;
    if (form)
      listen(form, 'reset', () => {
        this.length = 0;
        this.cut = false;
      });
    // The field may already hold text (an edit form): count it once the page has set it.
    void this.updateComplete.then(() => (this.length = field.value.length));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop.splice(0).forEach((undo) => undo());
  }

  override render(): unknown {
    const note = limitNote(this.length, this.limit, this.cut);
    const full = this.cut || this.length >= this.limit;
    return html`<span class=${full ? 'full' : ''} aria-live="polite">${note}</span>`;
  }

  static override styles = css`
    :host {
      display: block;
      font-size: 0.8rem;
      color: var(--muted);
    }
    .full {
      color: var(--danger);
    }
  `;
}
customElements.define('field-limit', FieldLimit);
