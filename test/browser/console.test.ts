import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/db.ts';
import { newId } from '../../src/lib/ids.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createServices } from '../../src/services.ts';
import { createTestDatabase } from '../support/db.ts';
import { seedConsolePortfolio, type Seeded } from './seed.ts';
import { CHROMIUM, hasChromium, launchChromium, openPage, prepareConsole, serveConsole, shot as shotPage, SHOTS } from './harness.ts';

/**
 * The staff console in headless Chromium against the real server on a fresh database: sign in,
 * read the overview, filter accounts, record a payment and watch balance and DPD change, switch
 * to English, search debtors, try an import. Screenshots go to .tmp/screenshots/.
 */
const NOW = '2026-03-15T10:00:00Z';

if (!hasChromium) console.warn(`[console.test] skipped: ${CHROMIUM} not found (apt-get install chromium)`);

describe.skipIf(!hasChromium)('staff console in Chromium', () => {
  let db: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let seeded: Seeded;
  let pageErrors: string[] = [];

  /** Text of the first match with Intl's no-break spaces made plain (`3.045,00\u00a0€`). */
  const text = async (testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/[\u00a0\u202f]/g, ' ');

  const shot = (name: string) => shotPage(page, name);

  beforeAll(async () => {
    prepareConsole();
    db = await createTestDatabase();
    const clock = fixedClock(NOW);
    const services = createServices({ db, clock, newId });
    seeded = await seedConsolePortfolio(db, services);
    ({ app, base } = await serveConsole(db, services));
    browser = await launchChromium();
    // Refused requests (the wrong key, a reused reference, an unmounted route) are part of the
    // script and are asserted on the page; anything else logged as an error is a bug.
    ({ page, pageErrors } = await openPage(browser, { timezoneId: 'Europe/Madrid' }));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it('signs in with the tenant API key and shows the overview with the bucket chart', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL('**/app/sign-in');
    await page.getByText('Demo: la clave aparece en la consola al arrancar').waitFor();

    // A wrong key is refused at the field, not stored.
    await page.getByLabel('Clave API').fill('tk_wrong');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByText('La clave no es válida o ha sido revocada').waitFor();
    await shot('01-sign-in-error');

    await page.getByLabel('Clave API').fill(seeded.apiKey);
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.waitForURL('**/app/overview');
    await page.getByTestId('kpi-open-accounts').waitFor();
    expect(await text('kpi-open-accounts')).toBe('9');
    // EUR holds the most accounts, so it is the currency shown first.
    expect(await text('kpi-balance')).toMatch(/€$/);
    expect(await page.evaluate(() => sessionStorage.getItem('tacto.apiKey'))).toBe(seeded.apiKey);
    const chart = page.locator('canvas[role="img"]');
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toContain('61–90 días: 1');
    const buckets = await page.getByTestId('bucket-table').locator('tbody tr td:first-child').allTextContents();
    expect(buckets).toEqual(['Al día', '1–30 días', '31–60 días', '61–90 días', '91–120 días', '121–180 días', 'Más de 180 días']);
    await page.waitForTimeout(300);
    await shot('02-overview');
  });

  it('lists accounts, filters by bucket and opens an account', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Cuentas' }).click();
    await page.waitForURL('**/app/accounts');
    const rows = page.getByTestId('accounts-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(9);
    await page.getByText('Lucía Fernández Núñez').waitFor();
    await shot('03-accounts');

    await page.getByLabel('Tramo').selectOption('61-90');
    await page.waitForURL('**/app/accounts?bucket=61-90');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="accounts-table"] tbody tr').length === 1);
    expect(await rows.first().textContent()).toContain('A-1001');
    await page.getByText('Lucía Fernández Núñez').waitFor();
    await shot('04-accounts-filtered');

    await page.getByRole('link', { name: 'A-1001' }).click();
    await page.waitForURL(`**/app/accounts/${seeded.accountId}`);
    await page.getByTestId('balance-total').waitFor();
    expect(await text('balance-total')).toBe('3.045,00 €');
    expect(await text('dpd-value')).toBe('69');
    await page.getByTestId('contact-points').waitFor();
    expect(await text('contact-points')).toContain('Baja');
  });

  it('records a payment and shows the new balance and days past due', async () => {
    const form = page.getByTestId('payment-form');
    // The API's field details are shown under the field they name.
    await form.getByLabel('Importe', { exact: true }).fill('10');
    await form.getByLabel('Referencia externa').fill('BANK-REF-1');
    await form.getByRole('button', { name: 'Registrar pago' }).click();
    await form.getByText('Esta referencia externa ya se usó en otra operación').waitFor();
    // Client-side validation in the reader's number format.
    await form.getByLabel('Referencia externa').fill('');
    await form.getByLabel('Importe', { exact: true }).fill('12,345');
    await form.getByRole('button', { name: 'Registrar pago' }).click();
    await form.getByText('Como mucho 2 decimales').waitFor();
    await shot('05-payment-validation');

    await form.getByLabel('Importe', { exact: true }).fill('250,00');
    await form.getByLabel('Medio de pago').selectOption('bizum');
    await form.getByRole('button', { name: 'Registrar pago' }).click();
    await page.getByTestId('payment-notice').waitFor();
    expect(await text('payment-notice')).toBe('Pago de 250,00 € registrado');
    await page.waitForFunction(() => document.querySelector('[data-testid="balance-total"]')?.textContent?.replace(/\u00a0/g, ' ') === '2.795,00 €');
    expect(await text('dpd-value')).toBe('38');
    await page.getByText(/Saldo: 3\.045,00\s€ → 2\.795,00\s€/).waitFor();
    await page.getByTestId('transactions-table').getByText('Bizum').waitFor();
    expect(await page.locator('.page-header').textContent()).toContain('31–60 días');
    await shot('06-account-after-payment');
  });

  it('changes the account status with optimistic concurrency, and back', async () => {
    const form = page.getByTestId('status-form');
    await form.getByLabel('Estado').selectOption('settled');
    await form.getByRole('button', { name: 'Cambiar estado' }).click();
    await page.getByText('Estado cambiado: Activa → Liquidada con quita').waitFor();
    expect(await page.locator('.page-header [data-status]').getAttribute('data-status')).toBe('settled');
    // The second change carries the version the first one produced.
    await form.getByLabel('Estado').selectOption('active');
    await form.getByRole('button', { name: 'Cambiar estado' }).click();
    await page.getByText('Estado cambiado: Liquidada con quita → Activa').waitFor();
    expect(await page.locator('.page-header [data-status]').getAttribute('data-status')).toBe('active');
  });

  it('switches to English', async () => {
    await page.getByRole('radio', { name: 'Inglés' }).check();
    await page.getByRole('heading', { name: 'Record a payment' }).waitFor();
    expect(await text('balance-total')).toBe('€2,795.00');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('heading', { name: 'Instalment schedule' }).waitFor();
    await page.getByText('Outstanding balance').first().waitFor();
    await shot('07-account-en');

    await page.getByRole('navigation').getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Portfolio by delinquency bucket' }).waitFor();
    await page.waitForTimeout(300);
    await shot('08-overview-en');
  });

  it('searches debtors and opens one', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Debtors' }).click();
    await page.getByTestId('debtors-table').waitFor();
    await page.getByLabel('Name or national ID').fill('Ortega');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="debtors-table"] tbody tr').length === 1);
    await shot('09-debtors-search');
    await page.getByRole('link', { name: 'Carmen Ortega Gil' }).click();
    await page.getByTestId('debtor-panel').waitFor();
    await page.getByText('A-1003').waitFor();
    await shot('10-debtor');
  });

  it('uploads a file on the imports page and shows the API answer', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Imports' }).click();
    await page.getByRole('heading', { name: 'Upload a file' }).waitFor();
    const csv = join(SHOTS, '..', 'console-import-sample.csv');
    writeFileSync(csv, 'creditor_ref;debtor_ref;account_ref;given_name;family_name;country;product;currency;principal\nBANCO-1;D-9001;A-9001;Marta;Gómez;ES;personal_loan;EUR;1.234,56\nBANCO-1;D-9002;A-9002;;;ES;personal_loan;EUR;-5\n');
    await page.locator('#import-file').setInputFiles(csv);
    await page.getByText('console-import-sample.csv').waitFor();
    await page.getByRole('button', { name: 'Validate file' }).click();
    // Either the import endpoint answers with a result, or the API's 404 is shown as such.
    await page.locator('[data-testid="import-result"], [data-error-code]').first().waitFor();
    const err = await page.locator('[data-error-code]').first().getAttribute('data-error-code').catch(() => null);
    if (err) expect(err).toBe('ROUTE.NOT_FOUND');
    await shot('11-imports');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('kpi-open-accounts').waitFor();
    await page.waitForTimeout(300);
    await shot('12-overview-phone');
    await page.goto(`${base}/app/accounts/${seeded.accountId}`);
    await page.getByTestId('balance-total').waitFor();
    await shot('13-account-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
