// Keeps the broker's token in step with a supabase-js client's session: sign-in, every refresh,
// sign-out. The tab owns the session; the broker only ever holds an access token.
import type { GoTrueClient, Session } from '@supabase/auth-js';
import type { BacklineClient } from './backline.js';

const toSession = (session: Session | null) =>
  session ? { userId: session.user.id, accessToken: session.access_token } : null;

/** Takes supabase-js's client or a bare auth-js client: anything with `auth.onAuthStateChange`. */
export function bindSupabaseAuth(
  backline: BacklineClient,
  supabase: { auth: Pick<GoTrueClient, 'onAuthStateChange' | 'getSession'> },
): () => void {
  // The broker's token expired while writes wait (long offline): getSession refreshes an expired
  // session (firing TOKEN_REFRESHED below); a session another tab already refreshed is handed over.
  const stopRefresh = backline.on('session:refresh-needed', () => {
    void supabase.auth
      .getSession()
      .then(({ data: current }) => backline.setSession(toSession(current.session)))
      .catch((error: unknown) => console.error(error));
  });
  const { data } = supabase.auth.onAuthStateChange((event, session) => {
    if (
      event === 'INITIAL_SESSION' ||
      event === 'SIGNED_IN' ||
      event === 'TOKEN_REFRESHED' ||
      event === 'SIGNED_OUT'
    ) {
      // Outside the callback: supabase-js holds its auth lock while listeners run.
      setTimeout(
        () => void backline.setSession(toSession(session)).catch((error: unknown) => console.error(error)),
      );
    }
  });
  return () => {
    stopRefresh();
    data.subscription.unsubscribe();
  };
}
