import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser build. */
export const CHROMIUM = process.env.ROLLOUT_TEST_CHROMIUM ?? '/usr/bin/chromium';

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** Every request the page tried that was not for the report file itself (all were refused). */
  blocked: string[];
  close(): Promise<void>;
}

/**
 * Headless Chromium (a fresh profile each time) with no network at all: every request that is not the file being opened is
 * aborted and recorded, so a test can assert the page asked for nothing. Fails, never skips,
 * when Chromium is missing.
 */
export async function openInChromium(file: string, viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run bash .ci/install-deps.sh`);
  const profile = await mkdtemp(path.join(tmpdir(), 'rolloutctl-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    offline: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const url = pathToFileURL(file).href;
    const blocked: string[] = [];
    await context.route('**', (route) => {
      const requested = route.request().url();
      if (requested === url) return route.continue();
      blocked.push(requested);
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => {
      if (request.url() !== url && !blocked.includes(request.url())) blocked.push(request.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, errors, blocked, close };
  } catch (error) {
    await close();
    throw error;
  }
}
