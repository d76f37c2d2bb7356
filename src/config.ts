// Where the app finds Supabase. Defaults: the local backend of `npm start`, whose anon key is the
// Supabase CLI's well-known demo key. Set VITE_SUPABASE_URL / VITE_SUPABASE_ANON_KEY for a real project.

export interface SupabaseConfig {
  url: string;
  anonKey: string;
}

const DEMO_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

export function supabaseConfig(): SupabaseConfig {
  return {
    url: import.meta.env.VITE_SUPABASE_URL || 'http://127.0.0.1:54321',
    anonKey: import.meta.env.VITE_SUPABASE_ANON_KEY || DEMO_ANON_KEY,
  };
}
