import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { servicesRequired } from './services';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(__dirname, '../../test-results/portal');

/** True when Debian's chromium is installed; otherwise prints SKIPPED (or fails with REQUIRE_SERVICES=1). */
export function needsChromium(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (servicesRequired())
    throw new Error(
      `${what}: chromium required (REQUIRE_SERVICES=1) but ${CHROMIUM} is missing: apt-get install -y chromium`,
    );
  console.warn(`SKIPPED ${what}: ${CHROMIUM} missing (apt-get install -y chromium)`);
  return false;
}

/** Headless chromium through playwright-core (its own browser download does not work here). */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
