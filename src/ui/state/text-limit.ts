// What a field with a length limit says as the user types: nothing while far from the limit, a
// count near it ("180/200"), and a plain sentence when a paste did not fit. The field's maxlength
// cuts the text; this only makes sure the cut is never silent.

/** From this share of the limit on, the count shows. */
const NEAR = 0.9;

/** Whether text pasted into a field of `length` chars, over a selection of `selected`, was cut. */
export function pasteWasCut(length: number, selected: number, pasted: number, limit: number): boolean {
  return length - selected + pasted > limit;
}

/** The note beside the field, or '' for none. */
export function limitNote(length: number, limit: number, cut: boolean): string {
  if (cut) return `Pasted text cut to ${limit} characters (${length}/${limit})`;
  if (length >= limit) return `${length}/${limit}: the limit`;
  return length >= Math.ceil(limit * NEAR) ? `${length}/${limit}` : '';
}
