// The user's bands, as the band list shows them: read once over REST with the user's token (RLS
// answers the bands they are a member of) and kept for every tab of the profile. Tabs asking at
// the same time share one read. A membership change (a band created, joined or left, wherever)
// makes the next ask read again; a watched band's row, as its events move it on, is taken into
// the list without a read.
import type { BandRows } from '../contract/protocol.js';
import type { Band } from '../contract/schema.js';
import type { BandRowListener } from './band-feed.js';
import { MalformedRows, parseBand } from './core/band-rows.js';
import type { RestSource } from './session-token.js';

/** The list as one value: not read (or out of date), a read under way, or read. */
type ListState =
  { kind: 'unread' } | { kind: 'reading'; read: Promise<Band[]> } | { kind: 'read'; bands: Band[] };

export class BandList implements BandRowListener {
  private state: ListState = { kind: 'unread' };

  constructor(private readonly token: RestSource) {}

  /** The user's bands by name; the list read earlier unless a membership changed since. */
  bands(): Promise<Band[]> {
    switch (this.state.kind) {
      case 'read':
        return Promise.resolve(this.state.bands);
      case 'reading':
        return this.state.read;
      case 'unread':
        return this.startRead();
    }
  }

  /** The user gained or lost a band: the list read so far is out of date. */
  membershipsChanged(): void {
    this.state = { kind: 'unread' };
  }

  /**
   * A watched band's row moved on. A read under way may have started before the change, and a
   * new name moves the band in an order only the database's collation knows: both read again.
   */
  bandChanged(rows: BandRows): void {
    if (this.state.kind !== 'read') {
      this.state = { kind: 'unread' };
      return;
    }
    const { bands } = this.state;
    const at = bands.findIndex((band) => band.id === rows.band.id);
    if (at < 0) return;
    if (rows.status === 'deleted') {
      this.state = { kind: 'read', bands: bands.filter((_, i) => i !== at) };
    } else if (rows.band.name !== bands[at]!.name) {
      this.state = { kind: 'unread' };
    } else {
      this.state = { kind: 'read', bands: bands.map((band, i) => (i === at ? rows.band : band)) };
    }
  }

  private startRead(): Promise<Band[]> {
    const read = this.read().then(
      (bands) => {
        // Kept only if nothing made it out of date while it was on its way.
        if (this.state.kind === 'reading' && this.state.read === read) this.state = { kind: 'read', bands };
        return bands;
      },
      (error: unknown) => {
        if (this.state.kind === 'reading' && this.state.read === read) this.state = { kind: 'unread' };
        throw error;
      },
    );
    this.state = { kind: 'reading', read };
    return read;
  }

  private async read(): Promise<Band[]> {
    const { data, error } = await this.token.rest().from('bands').select('*').order('name').order('id');
    if (error) throw new Error(`reading the band list: ${error.message}`);
    const rows: unknown = data;
    if (!Array.isArray(rows)) throw new MalformedRows('the band list is not an array');
    return rows.map((row, i) => parseBand(row, `bands[${i}]`));
  }
}
