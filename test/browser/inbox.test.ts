import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/db.ts';
import { newId } from '../../src/lib/ids.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createServices } from '../../src/services.ts';
import { buildApp } from '../../src/http/app.ts';
import { createTestDatabase } from '../support/db.ts';
import { givenMessagingTenant } from '../support/messaging.ts';

/**
 * The sandbox inbox in headless Chromium: a message the dispatcher sent through the sandbox is
 * shown under its debtor; the tester replies BAJA as the debtor and the opt-out is recorded
 * (the pending contact cancelled), in Spanish and then in English.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '..', '..');
const WEB_DIST = join(ROOT, 'web', 'dist');
const SHOTS = join(ROOT, '.tmp', 'screenshots');
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('sandbox inbox in Chromium', () => {
  let db: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let m: Awaited<ReturnType<typeof givenMessagingTenant>>;
  let pending: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIST, 'index.html'))) execSync('npx vite build --config web/vite.config.ts', { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase();
    const services = createServices({ db, clock: fixedClock('2026-03-16T10:00:00Z'), newId });
    m = await givenMessagingTenant(db);
    await services.messaging.registry.put(m.tenantId, { config: { provider: 'sandbox', tenantId: m.tenantId }, settings: { channels: ['sms', 'email', 'whatsapp'] } });
    const d = await m.debtor({ phone: '+34600123123' });
    const cp = d.contactPoints[0]!;
    await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'sms', sendAt: '2026-03-16T09:00:00Z' });
    pending = await m.schedule({ ...d, contactPointId: cp.id, destination: cp.value, channel: 'sms', sendAt: '2026-03-20T09:00:00Z', purpose: 'missed_payment_2' });
    expect((await services.messaging.drain()).sent).toBe(1);
    app = await buildApp({ db, services, webDir: WEB_DIST });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'es-ES', timezoneId: 'Europe/Madrid', reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it('shows what the sandbox sent and takes a BAJA reply as the debtor', async () => {
    await page.goto(`${base}/app/sign-in`);
    await page.getByLabel('Clave API').fill(m.apiKey);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL('**/app/overview');
    await page.getByRole('link', { name: 'Bandeja de pruebas' }).click();
    await page.waitForURL('**/app/inbox');
    const conversation = page.getByTestId('conversations').getByRole('button').first();
    await conversation.waitFor();
    expect(await conversation.textContent()).toContain('Lucía Pérez');
    await conversation.click();
    const outbound = page.locator('[data-direction="outbound"]');
    await outbound.first().waitFor();
    expect(await outbound.count()).toBe(1);
    expect(await outbound.first().textContent()).toContain('BAJA');
    await page.getByLabel('Responder como el deudor').fill('BAJA');
    await page.getByRole('button', { name: 'Enviar respuesta' }).click();
    await page.getByText('Baja registrada: 1 dirección dada de baja, 1 contactos pendientes cancelados.').waitFor();
    await page.locator('[data-direction="inbound"]').first().waitFor();
    expect(await page.locator('[data-direction="inbound"]').first().textContent()).toContain('BAJA');
    await page.screenshot({ path: join(SHOTS, 'inbox-es.png') });
    expect(await m.contact(pending)).toMatchObject({ status: 'cancelled', status_reason: 'opted_out' });

    // English.
    await page.getByRole('radio', { name: 'Inglés' }).check();
    await page.getByRole('heading', { name: 'Sandbox inbox' }).waitFor();
    await page.getByLabel('Reply as the debtor').waitFor();
    await page.screenshot({ path: join(SHOTS, 'inbox-en.png') });
    expect(pageErrors).toEqual([]);
  });
});
