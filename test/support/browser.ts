// Debian's Chromium driven by playwright-core, for tests of pages as a person sees them. The
// browser is the system's (/usr/bin/chromium, installed by scripts/setup): playwright's own
// browser download is neither needed nor possible here.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './server.ts';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Saves a full-page screenshot as `<dir>/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Messages the page logged at `error` level, and its uncaught exceptions. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh Chromium (its own profile directory) with one page; screenshots go to `artifactDir`. */
export async function launchBrowser(artifactDir: string, viewport = { width: 1440, height: 960 }): Promise<TestBrowser> {
  const profile = tempDir('reelhouse-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport, colorScheme: 'light',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  fs.mkdirSync(artifactDir, { recursive: true });
  return {
    context, page, errors,
    screenshot: async (name) => {
      const file = path.join(artifactDir, `${name}.png`);
      // From the top: a full-page capture of a scrolled page draws sticky headers mid-page.
      await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
