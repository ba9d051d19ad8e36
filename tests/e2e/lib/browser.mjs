// Headless Debian chromium through playwright-core (resolved from ui/node_modules); `args` adds flags.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const uiRoot = join(here, '..', '..', '..', 'ui');

export async function launchBrowser({ viewport = { width: 1280, height: 800 }, args = [] } = {}) {
  const require = createRequire(join(uiRoot, 'package.json'));
  const { chromium } = require('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'meridian-chrome-'));
  const ctx = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
    viewport,
    acceptDownloads: true,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return {
    ctx,
    page,
    async close() {
      await ctx.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Screenshots of the page `getPage()` returns, saved as `<dir>/<prefix>-<name>.png`, and test steps
 * that save one named FAILED-<name> before failing. */
export function artifacts(dir, prefix, getPage) {
  const screenshot = (name) => getPage().screenshot({ path: join(dir, `${prefix}-${name}.png`) }).catch(() => {});
  const step = (name, fn) => async () => {
    try {
      await fn();
    } catch (e) {
      await screenshot(`FAILED-${name}`);
      throw e;
    }
  };
  return { screenshot, step };
}
