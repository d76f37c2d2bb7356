// Shared styles: tokens and the few patterns every screen uses.
import { css } from 'lit';

export const base = css`
  :host {
    --bg: #ffffff;
    --fg: #111827;
    --muted: #6b7280;
    --line: #e5e7eb;
    --accent: #b45309;
    --accent-fg: #ffffff;
    --danger: #b91c1c;
    --radius: 8px;
    font-family:
      system-ui,
      -apple-system,
      'Segoe UI',
      sans-serif;
    color: var(--fg);
  }
  h1,
  h2,
  h3 {
    margin: 0 0 0.75rem;
    line-height: 1.2;
  }
  button,
  input,
  textarea,
  select {
    font: inherit;
  }
  button {
    border: 1px solid var(--line);
    background: var(--bg);
    color: var(--fg);
    border-radius: var(--radius);
    padding: 0.45rem 0.8rem;
    cursor: pointer;
    min-height: 2.5rem;
  }
  button.primary {
    background: var(--accent);
    color: var(--accent-fg);
    border-color: var(--accent);
  }
  button.danger {
    color: var(--danger);
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  input,
  textarea {
    border: 1px solid var(--line);
    border-radius: var(--radius);
    padding: 0.45rem 0.6rem;
    min-height: 2.5rem;
    box-sizing: border-box;
    width: 100%;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-size: 0.9rem;
    color: var(--muted);
  }
  form {
    display: grid;
    gap: 0.75rem;
  }
  .card {
    border: 1px solid var(--line);
    border-radius: var(--radius);
    padding: 1rem;
  }
  .muted {
    color: var(--muted);
  }
  .error {
    color: var(--danger);
  }
  .row {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    flex-wrap: wrap;
  }
`;
