// The band's song list: a table on a wide screen, one card per song on a phone. Its headers sort
// it (aria-sort says how), a select does the same on a phone where the headers are hidden, and a
// search box filters it. The song being edited is edited in its own row. Each row carries its sync
// state and who changed it last; the page supplies the row's actions and the editor.
import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { formatDuration, type SongRow } from '../state/song-list.js';
import { syncBadge } from './sync-badge.js';
import { SORT_COLUMNS, type SongSort, type SortColumn } from '../state/song-order.js';

function rowBadge(row: SongRow): unknown {
  if (row.sync === 'synced' || row.sync === 'confirmed') return nothing;
  const badge = syncBadge(row.sync, row.entry?.error?.message);
  // The server's reason stays on the row until dismissed, also after a reload (no toast then).
  return row.sync === 'failed' && row.entry?.error
    ? html`${badge} <span class="why">${row.entry.error.message}</span>`
    : badge;
}

const COLUMN_NAMES: Record<SortColumn, string> = { title: 'Title', artist: 'Artist', key: 'Key', bpm: 'BPM' };

export interface SongTableOptions {
  /** The rows to show, filtered and sorted already. */
  rows: readonly SongRow[];
  /** How many songs the band has before the search. */
  total: number;
  sort: SongSort;
  search: string;
  sorted: (column: SortColumn, direction?: SongSort['direction']) => void;
  searched: (query: string) => void;
  /** The id of the song edited in its row, and its form. */
  editing: { songId: string; form: unknown } | undefined;
  /** "edited by Bob, 2 min ago", for a song the server has. */
  attribution: (row: SongRow) => string | undefined;
  actions: (row: SongRow) => unknown;
}

function sortHeader(column: SortColumn, { sort, sorted }: SongTableOptions): unknown {
  const current = sort.column === column ? sort.direction : undefined;
  return html`<th aria-sort=${current ?? 'none'}>
    <button class="sort" @click=${() => sorted(column)}>
      ${COLUMN_NAMES[column]}<span aria-hidden="true"
        >${current === 'ascending' ? ' ▲' : current ? ' ▼' : ''}</span
      >
    </button>
  </th>`;
}

/** Above the table: the search box, and the sort select that stands in for the headers on a phone. */
function listTools(options: SongTableOptions): unknown {
  const { sort, search, sorted, searched } = options;
  const choose = (event: Event): void => {
    const [column, direction] = (event.target as HTMLSelectElement).value.split(':') as [
      SortColumn,
      SongSort['direction'],
    ];
    sorted(column, direction);
  };
  return html`<div class="row list-tools">
    <input
      type="search"
      aria-label="Search songs"
      placeholder="Search title, artist, notes"
      .value=${search}
      @input=${(event: Event) => searched((event.target as HTMLInputElement).value)}
    />
    <label class="sort-select"
      >Sort by
      <select @change=${choose}>
        ${SORT_COLUMNS.flatMap((column) =>
          (['ascending', 'descending'] as const).map(
            (direction) =>
              html`<option
                value="${column}:${direction}"
                ?selected=${sort.column === column && sort.direction === direction}
              >
                ${COLUMN_NAMES[column]} ${direction === 'ascending' ? '↑' : '↓'}
              </option>`,
          ),
        )}
      </select></label
    >
  </div>`;
}

function songRow(row: SongRow, options: SongTableOptions): unknown {
  const { song } = row;
  if (options.editing?.songId === song.id)
    return html`<tr class="editing">
      <td colspan="6">${options.editing.form}</td>
    </tr>`;
  const by = row.sync === 'synced' ? options.attribution(row) : undefined;
  return html`<tr data-sync=${row.sync}>
    <td data-label="Title">
      <span class="song-title">${song.title}</span> ${rowBadge(row)}
      ${by ? html`<span class="by muted">${by}</span>` : nothing}
      ${
        song.notes
          ? html`<details class="notes">
              <summary>Notes</summary>
              <p>${song.notes}</p>
            </details>`
          : nothing
      }
    </td>
    <td data-label="Artist">${song.artist}</td>
    <td data-label="Key">${song.key ?? ''}</td>
    <td data-label="BPM">${song.bpm ?? ''}</td>
    <td data-label="Length">${formatDuration(song.duration_seconds)}</td>
    <td class="actions">${options.actions(row)}</td>
  </tr>`;
}

export function songTable(options: SongTableOptions): unknown {
  const { rows, total, search } = options;
  return html`${total > 0 ? listTools(options) : nothing}
    <table aria-label="Songs">
      <thead>
        <tr>
          ${SORT_COLUMNS.map((column) => sortHeader(column, options))}
          <th>Length</th>
          <th><span class="sr">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${
          // Keyed by song: a row (and an edit typed into it) stays with its song when the list reorders.
          repeat(
            rows,
            (row) => row.song.id,
            (row) => songRow(row, options),
          )
        }
      </tbody>
    </table>
    ${
      total === 0
        ? html`<p class="muted">No songs yet.</p>`
        : rows.length === 0
          ? html`<p class="muted">No songs match “${search.trim()}”.</p>`
          : nothing
    }`;
}
