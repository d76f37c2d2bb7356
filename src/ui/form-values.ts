// Clearing a form the moment its values are taken, not once they are saved: the user may already
// be typing the next entry, and a late reset would wipe it. If saving fails, the values go back,
// unless the form is in use again.

type Field = HTMLInputElement | HTMLTextAreaElement;

/** Resets `form` now; the function it returns puts the taken values back. */
export function takeForm(form: HTMLFormElement): () => void {
  const fields = [...form.elements].filter(
    (element): element is Field =>
      element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement,
  );
  const taken = fields.map((field) => field.value);
  form.reset();
  const cleared = fields.map((field) => field.value);
  return () => {
    if (fields.some((field, i) => field.value !== cleared[i])) return;
    fields.forEach((field, i) => (field.value = taken[i]!));
  };
}
