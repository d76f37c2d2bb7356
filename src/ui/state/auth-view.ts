// Which screen the signed-in state calls for, as one value: a sign-out this tab asked for goes
// straight to the sign-in page, while one made in another tab leaves the page up (with what the
// user typed) and says why, until the user leaves it. Pure; the app shell feeds it auth events.
import { assertNever } from '../../client/index.js';

/** Why a session ended that this tab did not end: a sign-out in another tab, or a refused renewal. */
export type EndedWhy = 'elsewhere' | 'expired';

export type AuthView<S> =
  | { kind: 'loading' }
  /** The sign-in page; `why`: the session ended without this tab asking, and the user left the page since. */
  | { kind: 'signed-out'; why: EndedWhy | undefined }
  | { kind: 'signed-in'; session: S }
  /** This tab asked to sign out: the session's end is its own doing. */
  | { kind: 'signing-out'; session: S }
  /** Ended without this tab asking: the page stays as it was until the user leaves it. */
  | { kind: 'ended-elsewhere'; session: S; why: EndedWhy };

export type AuthEvent<S> =
  /**
   * The current session (null: signed out, here or in another tab); `expired`: it ended because it
   * could not be renewed.
   */
  | { type: 'session'; session: S | null; expired?: boolean }
  | { type: 'sign-out-asked' }
  /** A sign-out this tab asked for did not happen after all. */
  | { type: 'sign-out-failed' }
  /** The user moved on from a page kept after a sign-out elsewhere (navigated, or chose to sign in). */
  | { type: 'left' };

export const LOADING = { kind: 'loading' } as const;

export function reduceAuthView<S>(view: AuthView<S>, event: AuthEvent<S>): AuthView<S> {
  switch (event.type) {
    case 'session':
      if (event.session) return { kind: 'signed-in', session: event.session };
      switch (view.kind) {
        case 'signed-in':
          return {
            kind: 'ended-elsewhere',
            session: view.session,
            why: event.expired ? 'expired' : 'elsewhere',
          };
        case 'ended-elsewhere':
        case 'signed-out':
          return view;
        default:
          return { kind: 'signed-out', why: undefined };
      }
    case 'sign-out-asked':
      return view.kind === 'signed-in' ? { kind: 'signing-out', session: view.session } : view;
    case 'sign-out-failed':
      return view.kind === 'signing-out' ? { kind: 'signed-in', session: view.session } : view;
    case 'left':
      return view.kind === 'ended-elsewhere' ? { kind: 'signed-out', why: view.why } : view;
    default:
      return assertNever(event);
  }
}

/**
 * What the sign-out dialog says of the changes not yet on the server, or undefined when there are
 * none (then sign-out needs no question). True to the outbox: on sign-out the queue stays on this
 * device, unsent, and drains when the same user signs in here again; conflicts and refused writes
 * wait for the user's choice then.
 */
export function unsentWarning(entries: Iterable<{ status: string }>): string | undefined {
  const all = [...entries].filter((entry) => entry.status !== 'confirmed');
  if (all.length === 0) return undefined;
  const open = all.filter((entry) => entry.status === 'pending' || entry.status === 'sending').length;
  const waiting = all.length - open;
  const one = all.length === 1;
  const choice =
    waiting === 0
      ? ''
      : ` ${waiting === 1 ? 'One needs' : `${waiting} need`} your choice first (a conflict, or refused).`;
  return (
    `${one ? '1 change is' : `${all.length} changes are`} not saved to the server yet. ` +
    `${one ? 'It stays on this device and is sent' : 'They stay on this device and are sent'} when you ` +
    `sign in again here; until then nobody else sees ${one ? 'it' : 'them'}.${choice}`
  );
}
