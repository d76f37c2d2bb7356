// Keeps the broker's token in step with a supabase-js client's session: sign-in, every refresh,
// sign-out. The tab owns the session; the broker only ever holds an access token.
import type { SupabaseClient, Session } from '@supabase/supabase-js';
import type { BacklineClient } from './backline.js';

const toSession = (session: Session | null) =>
  session ? { userId: session.user.id, accessToken: session.access_token } : null;

export function bindSupabaseAuth(backline: BacklineClient, supabase: SupabaseClient): () => void {
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
  return () => data.subscription.unsubscribe();
}
