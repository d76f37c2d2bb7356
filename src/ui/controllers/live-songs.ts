// A band's songs, live, for any component: watch the band through the broker, read a snapshot,
// then apply changes by version; changes that arrive during a read are applied after it.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RowChange } from '../../client/events.js';
import type { OutboxEntry } from '../../client/index.js';
import type { Song } from '../../data/database.js';
import type { Services } from '../services.js';
import { applyChange, fromSnapshot, type SongMap } from '../state/song-list.js';

export type LiveStatus = 'loading' | 'ready' | 'left' | 'error';

export class LiveSongs implements ReactiveController {
  songs: SongMap = new Map();
  /** This user's queued writes (any band; the view picks this band's). */
  entries = new Map<string, OutboxEntry>();
  status: LiveStatus = 'loading';
  error: string | undefined;
  private pending: RowChange<Song>[] | undefined = [];
  private readonly stop: (() => void)[] = [];
  private readonly listeners = new Set<(change: RowChange<Song>) => void>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly services: Services,
    readonly bandId: string,
  ) {
    host.addController(this);
  }

  /** Changes from others as they arrive (the editor uses this to spot conflicts). */
  onChange(listener: (change: RowChange<Song>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  hostConnected(): void {
    const { backline } = this.services;
    const watch = backline.watchBand(this.bandId);
    this.stop.push(() => watch.unwatch());
    this.stop.push(
      backline.on('songs:changed', (change) => {
        if (change.bandId !== this.bandId) return;
        if (this.pending) this.pending.push(change);
        else this.apply(change);
        this.listeners.forEach((listener) => listener(change));
      }),
      backline.on('outbox:changed', ({ entry, removed }) => {
        if (removed) this.entries.delete(entry.id);
        else this.entries.set(entry.id, entry);
        // A confirmed write's row stands in until its event arrives (applied by version, so either order works).
        if (entry.result && entry.result.band_id === this.bandId) {
          this.songs = applyChange(this.songs, {
            bandId: this.bandId,
            seq: 0,
            op: 'UPDATE',
            record: entry.result,
            oldRecord: null,
            actor: entry.userId,
          });
        }
        this.host.requestUpdate();
      }),
      backline.on('band:left', ({ bandId }) => {
        if (bandId !== this.bandId) return;
        this.status = 'left';
        this.host.requestUpdate();
      }),
    );
    // Show the songs at once, even if realtime is down; read them again once the band is live,
    // which closes any gap between that first read and the stream.
    void this.loadSnapshot();
    void backline.outbox().then(
      (entries) => {
        for (const entry of entries) if (!this.entries.has(entry.id)) this.entries.set(entry.id, entry);
        this.host.requestUpdate();
      },
      () => undefined,
    );
    void watch.live.then(
      () => this.loadSnapshot(),
      (error: unknown) => this.fail(error instanceof Error ? error.message : String(error)),
    );
  }

  hostDisconnected(): void {
    this.stop.splice(0).forEach((undo) => undo());
  }

  /** Re-reads the band's songs (after a conflict, "Refresh"). */
  async loadSnapshot(): Promise<void> {
    this.pending ??= [];
    const { data, error } = await this.services.supabase.db
      .from('songs')
      .select('*')
      .eq('band_id', this.bandId);
    if (error) return this.fail(error.message);
    let songs = fromSnapshot(data);
    for (const change of this.pending) songs = applyChange(songs, change);
    this.pending = undefined;
    this.songs = songs;
    this.status = 'ready';
    this.host.requestUpdate();
  }

  /** Shows a confirmed row at once, before its event arrives. */
  apply(change: RowChange<Song>): void {
    this.songs = applyChange(this.songs, change);
    this.host.requestUpdate();
  }

  private fail(message: string): void {
    this.status = 'error';
    this.error = message;
    this.host.requestUpdate();
  }
}
