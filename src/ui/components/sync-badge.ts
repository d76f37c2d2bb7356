// A queued write's state beside what it is about (a song, a band): a badge with an icon and a word,
// so the state never rests on colour alone. The icon is decoration; the word is the label.
import { css, html, svg, type SVGTemplateResult } from 'lit';
import type { OutboxStatus } from '../../client/index.js';

/** The states worth a badge: a confirmed write looks like any saved row. */
export type UnsyncedStatus = Exclude<OutboxStatus, 'confirmed'>;

export const SYNC_LABELS: Record<UnsyncedStatus, string> = {
  pending: 'Waiting to sync',
  sending: 'Syncing…',
  conflict: 'Conflict',
  failed: 'Not saved',
};

// 16×16 line icons, drawn in the text's colour: a clock, two arrows in a circle, a warning sign, a cross.
const ICONS: Record<UnsyncedStatus, SVGTemplateResult> = {
  pending: svg`<circle cx="8" cy="8" r="6.25" /><path d="M8 4.5V8l2.5 1.5" />`,
  sending: svg`<path d="M13.5 8A5.5 5.5 0 0 1 3.6 11.3M2.5 8a5.5 5.5 0 0 1 9.9-3.3" /><path d="M12.6 2v2.9H9.7M3.4 14v-2.9h2.9" />`,
  conflict: svg`<path d="M8 1.8 14.6 13.5H1.4Z" /><path d="M8 6v3.5M8 11.4v.1" />`,
  failed: svg`<circle cx="8" cy="8" r="6.25" /><path d="m5.5 5.5 5 5m0-5-5 5" />`,
};

export function syncBadge(status: UnsyncedStatus, title: string = SYNC_LABELS[status]): unknown {
  return html`<span class="badge ${status}" title=${title}
    ><svg aria-hidden="true" viewBox="0 0 16 16">${ICONS[status]}</svg>${SYNC_LABELS[status]}</span
  >`;
}

export const syncBadgeStyles = css`
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.3rem;
    margin-inline-start: 0.4rem;
    padding: 0.1rem 0.5rem;
    border: 1px solid currentColor;
    border-radius: 999px;
    font-size: 0.8rem;
    font-weight: 600;
    line-height: 1.4;
    white-space: nowrap;
    vertical-align: 0.1em;
    color: var(--info);
    background: color-mix(in srgb, currentColor 10%, var(--bg));
  }
  .badge svg {
    width: 0.9rem;
    height: 0.9rem;
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 1.6;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .badge.pending {
    color: var(--warning);
  }
  .badge.conflict,
  .badge.failed {
    color: var(--danger);
  }
  .badge.sending svg {
    animation: turn 1.2s linear infinite;
  }
  @keyframes turn {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .badge.sending svg {
      animation: none;
    }
  }
`;
