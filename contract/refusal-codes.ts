// Supabase's refusals as codes a tab can explain to the user. The broker recognises them in what
// the server said (worker/core/refusal.ts); the UI words them (src/ui/state/connection-reason.ts).
export type RefusalCode =
  'too_many_connections' | 'too_many_channels' | 'too_many_joins' | 'too_many_messages' | 'token_expired';
