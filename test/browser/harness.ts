import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/db.ts';
import type { createServices } from '../../src/services.ts';
import { buildApp } from '../../src/http/app.ts';

/**
 * What the console's browser tests share: where Chromium and the built console are, building
 * web/dist when it is missing or older than its sources, serving it with the real API, launching
 * headless Chromium on a page that records script errors, signing in, and whole-page screenshots.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const WEB_DIST = join(ROOT, 'web', 'dist');
export const SHOTS = join(ROOT, '.tmp', 'screenshots');

/** Newest modification time under the console's sources, to tell a stale web/dist. */
const newestSource = (p: string): number => {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newestSource(join(p, n))));
};

const distIsStale = (): boolean => {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((n) => join(ROOT, 'web', n)).filter((p) => existsSync(p));
  return Math.max(...sources.map(newestSource)) > statSync(index).mtimeMs;
};

/**
 * Builds the console when needed and makes the screenshot folder. NODE_ENV is "test" under
 * vitest; Vite would then bundle React's development build, so it is set for the build.
 */
export const prepareConsole = (): void => {
  if (distIsStale()) execSync('npx vite build --config web/vite.config.ts', { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  mkdirSync(SHOTS, { recursive: true });
};

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

/** The real server (API and the built console) on a free local port. */
export const serveConsole = async (db: Database, services: ReturnType<typeof createServices>): Promise<{ app: FastifyInstance; base: string }> => {
  const app = await buildApp({ db, services, webDir: WEB_DIST });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
};

/**
 * A page in a Spanish browser. `pageErrors` collects script errors and anything logged as an
 * error, except failed loads: refused requests are part of the scripts and asserted on the page.
 */
export const openPage = async (browser: Browser, o: { timezoneId: string; viewport?: { width: number; height: number } }): Promise<{ page: Page; pageErrors: string[] }> => {
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1440, height: 900 }, locale: 'es-ES', timezoneId: o.timezoneId, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  return { page, pageErrors };
};

/** Signs in with a tenant key on the Spanish sign-in page and waits for the overview. */
export const signIn = async (page: Page, base: string, apiKey: string): Promise<void> => {
  await page.goto(`${base}/app/sign-in`);
  await page.getByLabel('Clave API').fill(apiKey);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.waitForURL('**/app/overview');
};

/**
 * A whole-page screenshot. Chromium's fullPage capture leaves the sticky sidebar blank, so the
 * viewport is grown to the page's height for the shot and then put back.
 */
export const shot = async (page: Page, name: string): Promise<string> => {
  const path = join(SHOTS, `${name}.png`);
  const size = page.viewportSize() ?? { width: 1440, height: 900 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (height > size.height) await page.setViewportSize({ width: size.width, height });
  await page.waitForTimeout(150);
  await page.screenshot({ path });
  if (height > size.height) await page.setViewportSize(size);
  return path;
};
