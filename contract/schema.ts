// Types of the schema in supabase/migrations, in the shape `supabase gen types typescript` emits,
// so supabase-js calls are typed end to end. Keep in step with the migrations. Type aliases, not
// interfaces: supabase-js requires rows assignable to Record<string, unknown>.

export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type MembershipRole = 'admin' | 'member';
export type ChangeOp = 'INSERT' | 'UPDATE' | 'DELETE';

export type Band = {
  id: string;
  name: string;
  description: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
};

export type BandMembership = {
  band_id: string;
  user_id: string;
  role: MembershipRole;
  joined_at: string;
  /** Set by the server from the user's sign-up name or email when they join. */
  display_name: string;
};

export type InviteCode = {
  id: string;
  band_id: string;
  code: string;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  max_uses: number;
  uses: number;
};

export type Song = {
  id: string;
  band_id: string;
  title: string;
  artist: string;
  key: string | null;
  bpm: number | null;
  duration_seconds: number | null;
  notes: string;
  version: number;
  created_by: string | null;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
};

export type BandEvent = {
  band_id: string;
  seq: number;
  table_name: 'bands' | 'band_memberships' | 'songs';
  record_id: string;
  op: ChangeOp;
  record: Json | null;
  old_record: Json | null;
  actor: string | null;
  at: string;
};

type Table<Row, Required extends keyof Row> = {
  Row: Row;
  Insert: Pick<Row, Required> & Partial<Omit<Row, Required>>;
  Update: Partial<Row>;
  Relationships: [];
};

export type Database = {
  public: {
    Tables: {
      bands: Table<Band, 'name'>;
      band_memberships: Table<BandMembership, 'band_id' | 'user_id'>;
      invite_codes: Table<InviteCode, 'band_id' | 'code'>;
      songs: Table<Song, 'band_id' | 'title'>;
      band_events: Table<BandEvent, 'band_id' | 'seq' | 'table_name' | 'record_id' | 'op'>;
    };
    Views: { [_ in never]: never };
    Functions: {
      create_band: { Args: { name: string; description?: string; id?: string }; Returns: Band };
      create_invite: {
        Args: { band_id: string; max_uses?: number; valid_for?: string };
        Returns: InviteCode;
      };
      join_band: { Args: { code: string }; Returns: Band };
      /** `{ "<band id>": head seq }` for the given bands the caller is a member of. */
      band_heads: { Args: { band_ids: string[] }; Returns: Json };
      /**
       * `{ seq, band, members, songs }`: the band's rows and the head seq they stand at (members by
       * joined_at, songs by created_at, soft-deleted included); null when the caller cannot see it.
       */
      band_snapshot: { Args: { band_id: string }; Returns: Json };
    };
    Enums: { [_ in never]: never };
    CompositeTypes: { [_ in never]: never };
  };
};
