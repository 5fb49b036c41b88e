import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), which `.ci/run` installs. */
export const chromiumPath = '/usr/bin/chromium';

const underCi = Boolean(process.env.CI) && process.env.CI !== 'false' && process.env.CI !== '0';

/**
 * Whether the browser tests should run: when Chromium is installed, and always under CI, where a
 * missing browser must fail the run (the launch throws) instead of skipping quietly. Warns once
 * per call when they are skipped.
 */
export function browserTestsEnabled(): boolean {
  const enabled = existsSync(chromiumPath) || underCi;
  if (!enabled) {
    console.warn(
      `Skipping the headless Chromium tests: ${chromiumPath} is missing (apt-get install -y chromium).`,
    );
  }
  return enabled;
}

/**
 * Launches headless Chromium with the flags this offline machine needs: without the networking
 * flags Chromium keeps trying to reach hosts it cannot.
 */
export function launchHeadlessChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}
