// Headless Chromium for the playground tests: Debian's /usr/bin/chromium
// driven by playwright-core (which never downloads a browser here).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A reason to skip the browser tests, or false when Chromium is there. */
export function chromiumMissing(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  return `Chromium is not installed at ${CHROMIUM_PATH}: skipping the playground browser tests. Install it (apt-get install chromium) or set CHROMIUM_PATH.`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
}
