// The app dressed for a look: a member with two bands, one with a few songs, and the screens a
// newcomer sees, in each colour scheme and at a desktop and a phone size. Shared by the
// screenshots, the accessibility check and the look-and-feel tests.
import { expect, type Locator, type Page } from '@playwright/test';
import { bandWith, signedUpClient } from '../../test/support/backend.js';
import { chaos } from '../../test/support/admin.js';
import type { RunningApp } from '../../test/support/browser/app.js';
import { addSong, songRows, type Person } from './ui.js';

export const SCHEMES = ['light', 'dark'] as const;
export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

export type Scheme = (typeof SCHEMES)[number];
export type Viewport = (typeof VIEWPORTS)[number];

/** Every scheme at every size, as `${scheme}-${width}x${height}` with both. */
export const LOOKS = SCHEMES.flatMap((scheme) =>
  VIEWPORTS.map((viewport) => ({ scheme, viewport, name: `${scheme}-${viewport.width}x${viewport.height}` })),
);

export const BAND = 'Rehearsal room';
export const PENDING_SONG = 'Fresh off the van';

/** A member with two bands (the first has a few songs, and a bandmate who can change them). */
export async function seedBands(app: RunningApp): Promise<{ who: Person; bandmate: Person }> {
  const [who, bandmate] = await Promise.all([
    signedUpClient(app.backend, 'look'),
    signedUpClient(app.backend, 'bandmate'),
  ]);
  const bandId = await bandWith(who.client, [bandmate.client], BAND);
  await bandWith(who.client, [], 'Van tour');
  const songs = [
    { title: 'Blue in green', artist: 'Miles Davis', key: 'C', bpm: 60, duration_seconds: 337 },
    { title: 'Superstition', artist: 'Stevie Wonder', key: 'Eb', bpm: 100, duration_seconds: 245 },
    { title: 'Tighten up', artist: 'Archie Bell', key: 'A', bpm: 120, duration_seconds: 191 },
  ];
  const { error } = await who.client
    .from('songs')
    .insert(songs.map((song) => ({ ...song, band_id: bandId })));
  if (error) throw new Error(`seeding songs failed: ${error.message}`);
  return { who, bandmate };
}

/** A song added while REST is cut, so it stays "Waiting to sync" until `chaos reset`. */
export async function addPendingSong(app: RunningApp, page: Page, title = PENDING_SONG): Promise<void> {
  await chaos(app, { action: 'refuse', ms: 120_000, scope: 'rest' });
  await addSong(page, title);
  await expect(songRows(page, title)).toContainText('Waiting to sync');
}

/** A band created while REST is cut, so its row stays "Waiting to sync" until `chaos reset`. */
export async function addPendingBand(app: RunningApp, page: Page, name: string): Promise<Locator> {
  await chaos(app, { action: 'refuse', ms: 120_000, scope: 'rest' });
  const create = page.getByRole('form', { name: 'Create a band' });
  await create.getByLabel('Band name').fill(name);
  await create.getByRole('button', { name: 'Create band' }).click();
  const row = page.getByRole('listitem').filter({ hasText: name });
  await expect(row).toContainText('Waiting to sync');
  return row;
}

export async function look(
  page: Page,
  { scheme, viewport }: { scheme: Scheme; viewport: Viewport },
): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  await page.setViewportSize(viewport);
}

export interface WeakBorder {
  element: string;
  border: string;
  background: string;
  ratio: number;
}

/**
 * Fields and buttons whose border is under 3:1 against what is behind them (WCAG 1.4.11, which
 * axe does not check). Borderless buttons are left out: their text is what marks them. Runs in
 * the page, through every shadow root.
 */
export function weakBorders(page: Page): Promise<WeakBorder[]> {
  return page.evaluate(() => {
    const channels = (color: string): number[] | undefined => {
      const srgb = /color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)(?: \/ ([\d.]+))?\)/.exec(color);
      if (srgb)
        return [Number(srgb[1]) * 255, Number(srgb[2]) * 255, Number(srgb[3]) * 255, Number(srgb[4] ?? 1)];
      const rgb = /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/.exec(color);
      return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3]), Number(rgb[4] ?? 1)] : undefined;
    };
    const luminance = ([r, g, b]: number[]): number =>
      [r!, g!, b!]
        .map((c) => c / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i]!, 0);
    const parentOf = (element: Element): Element | null =>
      element.parentElement ?? ((element.getRootNode() as ShadowRoot).host || null);
    /** The first opaque background at or above `element` (the canvas if none). */
    const backgroundBehind = (element: Element | null): string => {
      for (let at = element; at; at = parentOf(at)) {
        const color = getComputedStyle(at).backgroundColor;
        if ((channels(color)?.[3] ?? 0) > 0.99) return color;
      }
      return getComputedStyle(document.documentElement).backgroundColor;
    };
    const all = (root: Document | ShadowRoot): Element[] =>
      [...root.querySelectorAll('*')].flatMap((element) => [
        element,
        ...(element.shadowRoot ? all(element.shadowRoot) : []),
      ]);
    return all(document)
      .filter((element) => element.matches('input, textarea, button'))
      .filter((element) => element.getClientRects().length > 0)
      .flatMap((element) => {
        const style = getComputedStyle(element);
        if (parseFloat(style.borderTopWidth) === 0) return [];
        const border = style.borderTopColor;
        const background = backgroundBehind(parentOf(element));
        const [a, b] = [luminance(channels(border)!), luminance(channels(background)!)];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const name = `${element.localName}${element.getAttribute('name') ? `[name=${element.getAttribute('name')}]` : ''} "${element.textContent?.trim().slice(0, 30) ?? ''}"`;
        return ratio < 3 ? [{ element: name, border, background, ratio: Math.round(ratio * 100) / 100 }] : [];
      });
  });
}
