// The app dressed for a look: a member with two bands, one with a few songs, and the screens a
// newcomer sees, in each colour scheme and at a desktop and a phone size. Shared by the
// screenshots, the accessibility check and the look-and-feel tests.
import { expect, type Page } from '@playwright/test';
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

/** A member with two bands; the first has a few songs. */
export async function seedBands(app: RunningApp): Promise<Person> {
  const who = await signedUpClient(app.backend, 'look');
  const bandId = await bandWith(who.client, [], BAND);
  await bandWith(who.client, [], 'Van tour');
  const songs = [
    { title: 'Blue in green', artist: 'Miles Davis', key: 'C', bpm: 60, duration_seconds: 337 },
    { title: 'Superstition', artist: 'Stevie Wonder', key: 'Eb', bpm: 100, duration_seconds: 245 },
    { title: 'Tighten up', artist: 'Archie Bell', key: 'A', bpm: 120, duration_seconds: 191 },
  ];
  const { error } = await who.client.from('songs').insert(songs.map((song) => ({ ...song, band_id: bandId })));
  if (error) throw new Error(`seeding songs failed: ${error.message}`);
  return who;
}

/** A song added while REST is cut, so it stays "Waiting to sync" until `chaos reset`. */
export async function addPendingSong(app: RunningApp, page: Page, title = PENDING_SONG): Promise<void> {
  await chaos(app, { action: 'refuse', ms: 120_000, scope: 'rest' });
  await addSong(page, title);
  await expect(songRows(page, title)).toContainText('Waiting to sync');
}

export async function look(page: Page, { scheme, viewport }: { scheme: Scheme; viewport: Viewport }): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  await page.setViewportSize(viewport);
}
