// The three ways a profile's tabs can hear a band, compared side by side.
export const MODES = ['shared', 'leader-tab', 'per-tab'] as const;
export type Mode = (typeof MODES)[number];

/** The page each mode's tabs open, under the built app's root. */
export function pagePath(mode: Mode, bandId: string): string {
  switch (mode) {
    case 'shared':
      return `lab.html?transport=shared&hop&band=${bandId}`;
    case 'leader-tab':
      return `bench/pages/leader-tab.html?band=${bandId}`;
    case 'per-tab':
      return `bench/pages/per-tab.html?band=${bandId}`;
  }
}
