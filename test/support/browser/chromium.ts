// How every browser of the e2e tests and the benchmarks is launched: the system Chromium
// (Debian's `chromium`), never a downloaded browser; CHROMIUM_PATH overrides.
import type { LaunchOptions } from '@playwright/test';

const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export const LAUNCH_OPTIONS: LaunchOptions = {
  executablePath: CHROMIUM_PATH,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
