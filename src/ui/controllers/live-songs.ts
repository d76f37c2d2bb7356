// A band's songs, live, for any component: watch the band through the broker, whose answer holds
// the band's songs as they stand at its seq (the worker's band cache: no request of the tab's own),
// and apply changes by version; the answer is merged by version too, so it and the changes may
// arrive in any order. The queued writes laid over them come from the page's outbox view.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RowChange, Song } from '../../client/index.js';
import type { Services } from '../services.js';
import { applyChange, mergeSnapshot, type SongMap } from '../state/song-list.js';

export type LiveStatus = 'loading' | 'ready' | 'left' | 'error';

export class LiveSongs implements ReactiveController {
  songs: SongMap = new Map();
  status: LiveStatus = 'loading';
  error: string | undefined;
  /** Songs deleted for good while the view was open: a read that began earlier must not bring them back. */
  private readonly gone = new Set<string>();
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
        if (change.op === 'DELETE' && change.oldRecord) this.gone.add(change.oldRecord.id);
        this.apply(change);
        this.listeners.forEach((listener) => listener(change));
      }),
      this.services.outbox.onChange(({ entry }) => {
        // The server's row as a write found it stands in until its event arrives (applied by version,
        // so either order works): a confirmed write's result, or a conflict's current version, which
        // "Refresh" shows at once even while realtime is still reconnecting.
        const serverRow = entry.result ?? entry.theirs;
        if (serverRow && serverRow.band_id === this.bandId) {
          this.songs = applyChange(this.songs, {
            bandId: this.bandId,
            seq: 0,
            op: 'UPDATE',
            record: serverRow,
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
    // The songs at once, even while the socket is down or refused (the broker's rows, live or
    // not); again once the band is live, which closes any gap between the two.
    void backline.bandRows(this.bandId).then(
      (now) => this.showSnapshot(now.rows.songs),
      () => undefined,
    );
    void watch.live.then(
      (live) => this.showSnapshot(live.rows.songs),
      (error: unknown) => this.fail(error instanceof Error ? error.message : String(error)),
    );
  }

  hostDisconnected(): void {
    this.stop.splice(0).forEach((undo) => undo());
  }

  private showSnapshot(songs: readonly Song[]): void {
    this.songs = mergeSnapshot(this.songs, songs, this.gone);
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
