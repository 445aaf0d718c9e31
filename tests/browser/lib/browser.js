// Launches Debian's Chromium (never a downloaded browser) through playwright-core.
//
// Playwright refuses `--user-data-dir` in `args` for `chromium.launch()` ("Pass
// userDataDir parameter to 'browserType.launchPersistentContext(userDataDir,
// options)'"), so a persistent context on a fresh temporary folder is used: it
// gives the same fresh profile, and the folder is removed on close.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

/**
 * @param {import('playwright-core').BrowserContextOptions} [contextOptions]
 * @returns {Promise<{context: import('playwright-core').BrowserContext, close: () => Promise<void>}>}
 */
export async function launchBrowser(contextOptions = {}) {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is missing (no ${executablePath}): run tests/setup-deps (apt-get install chromium)`,
    );
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'eclaireurs-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
      ...contextOptions,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`Could not start Chromium (${executablePath}): ${err.message}`, { cause: err });
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
