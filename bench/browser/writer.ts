// The write stream every mode hears: songs inserted by one band member over REST (each insert
// adds one band_events row with the band's next seq), paced or at a target rate, bounded in count
// and time.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '../../contract/schema.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RateResult {
  asked_per_s: number;
  achieved_per_s: number;
  writes: number;
  failed: number;
}

export class Writer {
  private count = 0;

  constructor(
    private readonly url: string,
    private readonly anonKey: string,
    private readonly accessToken: string,
    private readonly bandId: string,
  ) {}

  async write(): Promise<void> {
    const response = await fetch(`${this.url}/rest/v1/songs`, {
      method: 'POST',
      headers: {
        apikey: this.anonKey,
        Authorization: `Bearer ${this.accessToken}`,
        'Content-Type': 'application/json',
        Prefer: 'return=minimal',
      },
      body: JSON.stringify({ band_id: this.bandId, title: `bench ${++this.count}` }),
    });
    if (!response.ok) throw new Error(`write failed: ${response.status} ${await response.text()}`);
  }

  /** `count` writes one after another, one every `intervalMs`: latency without queueing. */
  async paced(count: number, intervalMs: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const started = Date.now();
      await this.write();
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  }

  /**
   * Writes at `rate` per second for `seconds`: each 50 ms tick sends, concurrently, what the
   * schedule owes by now, so a late tick catches up and only a slow backend lowers the rate.
   */
  async atRate(rate: number, seconds: number): Promise<RateResult> {
    const tickMs = 50;
    const started = Date.now();
    const deadline = started + seconds * 1000;
    let sent = 0;
    let writes = 0;
    let failed = 0;
    while (Date.now() < deadline) {
      const tick = Date.now();
      const owed = Math.max(0, Math.floor((rate * (tick - started)) / 1000) + 1 - sent);
      sent += owed;
      const results = await Promise.allSettled(Array.from({ length: owed }, () => this.write()));
      writes += results.filter((r) => r.status === 'fulfilled').length;
      failed += results.filter((r) => r.status === 'rejected').length;
      await sleep(Math.max(0, tickMs - (Date.now() - tick)));
    }
    const elapsed = (Math.max(Date.now(), deadline) - started) / 1000;
    return { asked_per_s: rate, achieved_per_s: Math.round((writes / elapsed) * 10) / 10, writes, failed };
  }
}

/** Every seq of the band after `after`, as the database has it: what every tab must end up with. */
export async function committedSeqs(
  reader: SupabaseClient<Database>,
  bandId: string,
  after: number,
): Promise<number[]> {
  const seqs: number[] = [];
  for (;;) {
    const { data, error } = await reader
      .from('band_events')
      .select('seq')
      .eq('band_id', bandId)
      .gt('seq', seqs.at(-1) ?? after)
      .order('seq')
      .limit(1000);
    if (error) throw new Error(error.message);
    seqs.push(...data.map((row) => row.seq));
    if (data.length < 1000) return seqs;
  }
}

export async function headSeq(reader: SupabaseClient<Database>, bandId: string): Promise<number> {
  const { data, error } = await reader
    .from('band_events')
    .select('seq')
    .eq('band_id', bandId)
    .order('seq', { ascending: false })
    .limit(1);
  if (error) throw new Error(error.message);
  return data[0]?.seq ?? 0;
}
