// The band page's own styles (on top of the shared base): the song form's grid, and the song
// table, which turns into one card per song on a narrow screen, each value under its label;
// members and invites beside the songs on a wide screen, below them on a phone.
import { css } from 'lit';

export const bandPageStyles = css`
  .why {
    display: block;
    color: var(--danger);
    font-size: 0.85rem;
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
  /* Column names are ours and short: whole words ("Length"), never broken like users' text. */
  th {
    overflow-wrap: normal;
  }
  .band-layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr) 16rem;
    gap: 1.5rem;
    align-items: start;
  }
  aside {
    display: grid;
    gap: 1rem;
  }
  aside h2,
  .song-form h2 {
    font-size: 1.1rem;
  }
  aside ul {
    list-style: none;
    padding: 0;
    margin: 0 0 0.5rem;
    display: grid;
    gap: 0.5rem;
  }
  .invites ul {
    margin-top: 0.75rem;
  }
  .invites li {
    gap: 0.25rem 0.5rem;
  }
  .description,
  .notes p {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .description-line {
    margin-bottom: 1rem;
  }
  .description-line .description {
    margin: 0;
  }
  button.link {
    border: none;
    padding: 0;
    background: none;
    color: var(--accent);
    text-decoration: underline;
  }
  .description-form {
    margin-bottom: 1rem;
  }
  .list-tools {
    margin-bottom: 0.5rem;
  }
  .list-tools input {
    flex: 1 1 12rem;
    width: auto;
  }
  .sort-select {
    display: none;
  }
  .sort-select select {
    min-height: var(--control-height);
  }
  th button.sort {
    border: none;
    background: none;
    padding: 0;
    font-weight: inherit;
    color: inherit;
  }
  .by {
    display: block;
    font-size: 0.85rem;
    font-weight: 400;
  }
  tr.editing td {
    padding: 0.5rem 0;
  }
  tr.editing .song-form {
    margin-bottom: 0;
  }
  @media (max-width: 640px) {
    .band-layout {
      grid-template-columns: 1fr;
    }
    .sort-select {
      display: grid;
    }
    tr.editing td {
      grid-column: 1 / -1;
    }
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
