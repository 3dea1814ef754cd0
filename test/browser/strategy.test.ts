import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/db.ts';
import { newId } from '../../src/lib/ids.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createServices } from '../../src/services.ts';
import { createTestDatabase } from '../support/db.ts';
import { seedConsolePortfolio, type Seeded } from './seed.ts';
import { hasChromium, launchChromium, openPage, prepareConsole, serveConsole, shot as shotPage, signIn } from './harness.ts';

/**
 * The daily run in the console: the built-in strategies loaded, one run done, then the account
 * page's "strategy and next contacts" panel and the scheduled contacts page, in Spanish and
 * English. Screenshots go to .tmp/screenshots/ (strategy-*).
 */
const NOW = '2026-03-15T10:00:00Z';

describe.skipIf(!hasChromium)('strategy and scheduled contacts in Chromium', () => {
  let db: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let seeded: Seeded;
  /** An account the run scheduled a contact for, and one whose contact was then cancelled. */
  let scheduled: { id: string; ref: string; channel: string };
  let cancelledRef: string;
  let pageErrors: string[] = [];

  const shot = (name: string) => shotPage(page, name);
  const rowsOf = (testId: string) => page.getByTestId(testId).locator('tbody tr');

  beforeAll(async () => {
    prepareConsole();
    db = await createTestDatabase();
    const services = createServices({ db, clock: fixedClock(NOW), newId });
    seeded = await seedConsolePortfolio(db, services);
    await services.journeys.loadBuiltInStrategies(seeded.tenantId);
    const run = await services.journeys.runDaily({ tenantId: seeded.tenantId });
    expect(run.status).toBe('completed');
    const { data } = await services.journeys.listScheduledContacts(seeded.tenantId, { limit: 100 });
    const withChannel = data.filter((c) => c.channel !== null);
    expect(withChannel.length).toBeGreaterThanOrEqual(2);
    // Cancel one account's contacts by reporting a promise to pay: the list then has two statuses.
    const victim = withChannel[withChannel.length - 1]!;
    const keep = withChannel.find((c) => c.accountId !== victim.accountId)!;
    expect((await services.journeys.reportEvent(seeded.tenantId, victim.accountId, { type: 'promised' })).cancelled).toBeGreaterThan(0);
    scheduled = { id: keep.accountId, ref: keep.accountRef!, channel: keep.channel! };
    cancelledRef = victim.accountRef!;

    ({ app, base } = await serveConsole(db, services));
    browser = await launchChromium();
    ({ page, pageErrors } = await openPage(browser, { timezoneId: 'America/New_York' }));
    await signIn(page, base, seeded.apiKey);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it('shows the journey and a next contact with its reasons on the account page (es)', async () => {
    await page.goto(`${base}/app/accounts/${scheduled.id}`);
    const panel = page.getByTestId('strategy-panel');
    await panel.waitFor();
    await page.getByRole('heading', { name: 'Estrategia y próximos contactos' }).waitFor();
    expect(await page.getByTestId('strategy-segment').textContent()).toBe('Olvidadizos, mora temprana');
    expect(await page.getByTestId('strategy-journey').textContent()).toMatch(/^Recordatorios amables/);
    expect(await page.getByTestId('strategy-status').textContent()).toBe('En curso');
    const contact = page.getByTestId('strategy-contact').first();
    expect(await contact.getAttribute('data-status')).toBe('scheduled');
    expect(await contact.textContent()).toContain('Programado');
    // Why this action: the segment and the step's choice, in words, with no raw codes.
    const why = (await contact.getByTestId('contact-why-action').textContent()) ?? '';
    expect(why).toContain('encaja en el segmento «Olvidadizos, mora temprana»');
    expect(why).toMatch(/Toca enviar «[^»]+» por (SMS|WhatsApp|Correo electrónico)/);
    expect(why).not.toMatch(/payment_link|pre_due_reminder|forgetful-early/);
    // Why this time, and the policy's answer.
    expect(await contact.getByTestId('contact-why-time').textContent()).toMatch(/^Se envía a las .+ \(Europe\/Madrid\)/);
    expect(await contact.getByTestId('contact-policy').textContent()).toMatch(/^Permitido por .+ \(ES\)\. Próximas franjas:/);
    // The debtor's time (Madrid) and the staff user's (New York) are both given, and differ.
    const debtorTime = (await contact.getByTestId('contact-debtor-time').textContent()) ?? '';
    const staffTime = (await contact.getByTestId('contact-staff-time').textContent()) ?? '';
    expect(debtorTime).toContain('Europe/Madrid');
    expect(debtorTime.replace(' Europe/Madrid', '')).not.toBe(staffTime);
    await page.getByTestId('strategy-preview').waitFor();
    await shot('strategy-01-account-es');
  });

  it('shows a clear empty state for an account without a journey', async () => {
    // A-1006 is far past the early-arrears segment and not in hardship: no strategy took it.
    await page.goto(`${base}/app/accounts`);
    await page.getByRole('link', { name: 'A-1006' }).click();
    await page.getByTestId('strategy-empty').waitFor();
    expect(await page.getByTestId('strategy-empty').textContent()).toContain('Esta cuenta aún no tiene recorrido');
    await shot('strategy-02-account-no-journey-es');
  });

  it('lists scheduled contacts, filters by status and channel, and links to the account (es)', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Contactos programados' }).click();
    await page.waitForURL('**/app/contacts');
    const rows = rowsOf('contacts-table');
    await rows.first().waitFor();
    const all = await rows.count();
    expect(await page.locator('[data-testid="contacts-table"] tbody tr[data-status="cancelled"]').count()).toBeGreaterThan(0);
    await shot('strategy-03-contacts-es');

    await page.getByLabel('Estado').selectOption('cancelled');
    await page.waitForURL('**/app/contacts?status=cancelled');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="contacts-table"] tbody tr')].every((r) => r.getAttribute('data-status') === 'cancelled'));
    const cancelled = await rows.count();
    expect(cancelled).toBeLessThan(all);
    expect(await page.getByTestId('contacts-table').textContent()).toContain(cancelledRef);
    expect(await page.getByTestId('contacts-table').textContent()).toContain('Cancelado');
    await shot('strategy-04-contacts-cancelled-es');

    await page.getByLabel('Estado').selectOption('scheduled');
    await page.waitForURL('**/app/contacts?status=scheduled');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="contacts-table"] tbody tr')].every((r) => r.getAttribute('data-status') === 'scheduled'));
    expect(await page.getByTestId('contacts-table').textContent()).not.toContain(cancelledRef);

    // A channel nobody was scheduled on leaves the list empty, with the filtered empty state.
    await page.getByLabel('Canal').selectOption('visit');
    await page.getByText('Ningún contacto cumple estos filtros.').waitFor();
    await page.getByLabel('Canal').selectOption(scheduled.channel);
    await page.getByRole('link', { name: scheduled.ref }).first().click();
    await page.waitForURL(`**/app/accounts/${scheduled.id}`);
    await page.getByTestId('strategy-panel').waitFor();
  });

  it('reads the same in English', async () => {
    await page.getByRole('radio', { name: 'Inglés' }).check();
    await page.getByRole('heading', { name: 'Strategy and next contacts' }).waitFor();
    expect(await page.getByTestId('strategy-segment').textContent()).toBe('Forgetful, early arrears');
    expect(await page.getByTestId('strategy-status').textContent()).toBe('In progress');
    const contact = page.getByTestId('strategy-contact').first();
    expect(await contact.getByTestId('contact-why-action').textContent()).toContain('fits segment “Forgetful, early arrears”');
    expect(await contact.getByTestId('contact-why-time').textContent()).toMatch(/^Sent at .+ \(Europe\/Madrid\)/);
    expect(await contact.getByTestId('contact-policy').textContent()).toMatch(/^Allowed by .+ \(ES\)\. Next windows:/);
    await shot('strategy-05-account-en');

    await page.getByRole('navigation').getByRole('link', { name: 'Scheduled contacts' }).click();
    // The account page also has a "Status" field: wait until the contacts page has replaced it.
    await page.waitForURL('**/app/contacts');
    await page.getByTestId('contacts-table').waitFor();
    await page.getByLabel('Status').selectOption('cancelled');
    await page.waitForURL('**/app/contacts?status=cancelled');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="contacts-table"] tbody tr')].every((r) => r.getAttribute('data-status') === 'cancelled'));
    expect(await page.getByTestId('contacts-table').textContent()).toContain('Cancelled');
    await shot('strategy-06-contacts-cancelled-en');
    expect(pageErrors).toEqual([]);
  });
});
