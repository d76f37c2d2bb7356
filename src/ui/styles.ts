// Shared styles: the colour tokens (light and dark, defined here once) and the few patterns every
// screen uses. Components take colours only from the tokens, so the dark scheme is one block.
import { css } from 'lit';

/**
 * The page's tokens and background, adopted by the document (src/main.ts): custom properties
 * inherit into every component's shadow root. Contrast, on --bg and on --surface: text tokens
 * ≥ 4.5:1, --field (borders of fields and buttons) and --focus ≥ 3:1; --line is decoration only.
 */
export const theme = css`
  :root {
    color-scheme: light;
    --bg: #ffffff;
    --surface: #ffffff;
    --fg: #111827;
    --muted: #4b5563;
    --line: #e5e7eb;
    --field: #6b7280;
    --focus: #1d4ed8;
    --accent: #b45309;
    --accent-fg: #ffffff;
    --danger: #b91c1c;
    --info: #1d4ed8;
    --warning: #92400e;
    --success: #15803d;
    /* The connection bar: the scheme turned inside out, so it stands apart from the page. */
    --inverse-bg: #1f2937;
    --inverse-fg: #ffffff;
    --inverse-alert-bg: #7f1d1d;
    --shadow: 0 4px 16px #0003;
    --radius: 8px;
    /* Touch targets: 44 px, as the platforms' guidelines ask. */
    --control-height: 2.75rem;
  }
  @media (prefers-color-scheme: dark) {
    :root {
      color-scheme: dark;
      --bg: #111418;
      --surface: #1c2128;
      --fg: #f3f4f6;
      --muted: #a1a7b3;
      --line: #2d333b;
      --field: #7d8590;
      --focus: #93c5fd;
      --accent: #f59e0b;
      --accent-fg: #111418;
      --danger: #f87171;
      --info: #93c5fd;
      --warning: #fbbf24;
      --success: #86efac;
      --inverse-bg: #e5e7eb;
      --inverse-fg: #111418;
      --inverse-alert-bg: #fca5a5;
      --shadow: 0 4px 16px #0009;
    }
  }
  body {
    margin: 0;
    background: var(--bg);
    color: var(--fg);
  }
`;

export const base = css`
  :host {
    font-family:
      system-ui,
      -apple-system,
      'Segoe UI',
      sans-serif;
    color: var(--fg);
    /* Users' text (a pasted 200-character word) wraps instead of widening the page. */
    overflow-wrap: anywhere;
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
    border: 1px solid var(--field);
    background: var(--surface);
    color: var(--fg);
    border-radius: var(--radius);
    padding: 0.45rem 0.8rem;
    cursor: pointer;
    min-height: var(--control-height);
    overflow-wrap: normal;
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
    border: 1px solid var(--field);
    border-radius: var(--radius);
    background: var(--bg);
    color: var(--fg);
    padding: 0.45rem 0.6rem;
    min-height: var(--control-height);
    box-sizing: border-box;
    width: 100%;
  }
  input::placeholder {
    color: var(--muted);
    opacity: 1;
  }
  :focus-visible {
    outline: 2px solid var(--focus);
    outline-offset: 2px;
  }
  a {
    color: var(--accent);
  }
  label {
    display: grid;
    align-content: start;
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
    background: var(--surface);
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
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
