// The band page's own styles (on top of the shared base): the song form's grid, and the song
// table, which turns into one card per song on a narrow screen, each value under its label.
import { css } from 'lit';

export const bandPageStyles = css`
  .why {
    display: block;
    color: var(--danger);
    font-size: 0.85rem;
  }
  .invite {
    margin-bottom: 1rem;
  }
  output {
    font-family: ui-monospace, monospace;
    font-weight: 700;
    letter-spacing: 0.05em;
  }
  .song-form {
    grid-template-columns: repeat(4, 1fr);
    margin-bottom: 1rem;
  }
  .song-form .wide {
    grid-column: 1 / -1;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: left;
    padding: 0.5rem;
    border-bottom: 1px solid var(--line);
  }
  .actions {
    white-space: nowrap;
    text-align: right;
  }
  @media (max-width: 640px) {
    .song-form {
      grid-template-columns: 1fr 1fr;
    }
    thead {
      display: none;
    }
    tr {
      display: grid;
      grid-template-columns: 1fr 1fr;
      border-bottom: 1px solid var(--line);
      padding: 0.5rem 0;
    }
    td {
      border: none;
      padding: 0.15rem 0.25rem;
    }
    /* The header row is hidden here, so each value says what it is. */
    td[data-label]::before {
      content: attr(data-label);
      display: block;
      font-size: 0.75rem;
      font-weight: 400;
      color: var(--muted);
    }
    td[data-label='Title'] {
      grid-column: 1 / -1;
      font-weight: 600;
    }
    td[data-label='Title']::before {
      content: none;
    }
    .actions {
      grid-column: 1 / -1;
      text-align: left;
    }
  }
`;
