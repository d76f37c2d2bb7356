// The soak's change stream: a Node supabase-js client inserting, updating and deleting songs at a
// steady rate, and every fifth change an insert through a browser tab's outbox. Requests a fault
// cuts off are retried; the writer's own model of its songs is checked against the database.
import type { Page } from '@playwright/test';
import type { SupabaseClient } from '@supabase/supabase-js';
import { randomUUID } from 'node:crypto';
import type { Database } from '../../contract/schema.js';
import type { Random } from './random.js';

type Client = SupabaseClient<Database>;

export interface WriterCounts {
  inserts: number;
  updates: number;
  deletes: number;
  /** Inserts queued in a tab's outbox (the outbox sends them when it can). */
  outbox: number;
  /** Outbox calls that got no answer in time (the worker died under them): landed at most once. */
  outboxUnanswered: number;
  retries: number;
}

export interface OutboxInsert {
  songId: string;
  bandId: string;
  title: string;
  answered: boolean;
}

const RETRY_MS = 200;
const OUTBOX_ANSWER_MS = 10_000;
/** No fault lasts this long: a change failing for longer is a bug, not chaos. */
const GIVE_UP_MS = 60_000;

export class ChangeStream {
  readonly counts: WriterCounts = {
    inserts: 0,
    updates: 0,
    deletes: 0,
    outbox: 0,
    outboxUnanswered: 0,
    retries: 0,
  };
  /** The Node writer's songs as it believes them to be: id → bpm. */
  readonly songs = new Map<string, { bandId: string; bpm: number | null }>();
  readonly outboxInserts: OutboxInsert[] = [];
  private made = 0;
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly db: Client,
    private readonly bands: readonly string[],
    /** The bands the outbox writer's user is in. */
    private readonly outboxBands: readonly string[],
    private readonly outboxPage: () => Page,
    private readonly random: Random,
  ) {}

  /** `total` changes spread evenly over `ms`; a change held up by a fault delays the ones after it. */
  async run(total: number, ms: number, stopped: () => boolean): Promise<void> {
    const started = Date.now();
    for (let i = 0; i < total && !stopped(); i++) {
      const due = started + (i * ms) / total;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      await this.change();
    }
  }

  /** Resolves once every outbox call has been answered or given up on. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  private async change(): Promise<void> {
    this.made++;
    if (this.made % 5 === 0) return void this.outboxInsert();
    const roll = this.random.next();
    if (this.songs.size < 3 || roll < 0.5) return this.insert();
    const [id, song] = this.random.pick([...this.songs]);
    return roll < 0.85 ? this.update(id, song.bandId) : this.remove(id);
  }

  private async insert(): Promise<void> {
    const bandId = this.random.pick(this.bands);
    const song = { id: randomUUID(), band_id: bandId, title: `soak ${this.made}` };
    // Upsert-ignore: a retry of an insert that did land changes nothing.
    await this.retrying(() =>
      this.db.from('songs').upsert(song, { onConflict: 'id', ignoreDuplicates: true }),
    );
    this.songs.set(song.id, { bandId, bpm: null });
    this.counts.inserts++;
  }

  private async update(id: string, bandId: string): Promise<void> {
    const bpm = this.random.int(60, 200);
    await this.retrying(() => this.db.from('songs').update({ bpm }).eq('id', id));
    this.songs.set(id, { bandId, bpm });
    this.counts.updates++;
  }

  private async remove(id: string): Promise<void> {
    await this.retrying(() => this.db.from('songs').delete().eq('id', id));
    this.songs.delete(id);
    this.counts.deletes++;
  }

  private outboxInsert(): void {
    const insert: OutboxInsert = {
      songId: randomUUID(),
      bandId: this.random.pick(this.outboxBands),
      title: `soak outbox ${this.made}`,
      answered: false,
    };
    this.outboxInserts.push(insert);
    this.counts.outbox++;
    const write = {
      kind: 'song.insert' as const,
      songId: insert.songId,
      bandId: insert.bandId,
      fields: { title: insert.title },
    };
    const answered = this.outboxPage()
      .evaluate((w) => window.lab.backline.write(w).then(() => true), write)
      .catch(() => false);
    const timedOut = new Promise<false>((resolve) => setTimeout(() => resolve(false), OUTBOX_ANSWER_MS));
    // Not awaited in line: the stream keeps its pace while a tab's call waits on a replaced worker.
    this.pending.push(
      Promise.race([answered, timedOut]).then((ok) => {
        insert.answered = ok;
        if (!ok) this.counts.outboxUnanswered++;
      }),
    );
  }

  private async retrying(request: () => PromiseLike<{ error: { message: string } | null }>): Promise<void> {
    const deadline = Date.now() + GIVE_UP_MS;
    for (;;) {
      const { error } = await request();
      if (!error) return;
      if (Date.now() > deadline)
        throw new Error(`a change kept failing for ${GIVE_UP_MS} ms: ${error.message}`);
      this.counts.retries++;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
