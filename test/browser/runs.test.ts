import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/db.ts';
import { newId } from '../../src/lib/ids.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { createServices } from '../../src/services.ts';
import { givenPortfolio, SPREAD } from '../../src/modules/journeys/journeys.run.testkit.ts';
import { formatNumber } from '../../web/src/format.ts';
import { createTestDatabase } from '../support/db.ts';
import { givenTenant } from '../support/fixtures.ts';
import { CHROMIUM, hasChromium, launchChromium, openPage, prepareConsole, serveConsole, shot, signIn } from './harness.ts';

/**
 * The daily runs page in Chromium against the real server: the empty state, the API's refusal
 * while the tenant has no strategy, then "Ejecutar hoy" with the shipped strategies — the run
 * is started without waiting, followed by polling until it completes — its detail against the
 * database, a second pass of the same day, English, and the link to the day's contacts.
 * Screenshots go to .tmp/screenshots/ (runs-*).
 */
// Monday 2 March 2026, 06:00 UTC: the run schedules contacts for later that morning.
const NOW = '2026-03-02T06:00:00Z';
const DAY = '2026-03-02';
const es = (n: number) => formatNumber(n, 'es-ES');

if (!hasChromium) console.warn(`[runs.test] skipped: ${CHROMIUM} not found (apt-get install chromium)`);

describe.skipIf(!hasChromium)('daily runs page in Chromium', () => {
  let db: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let services: ReturnType<typeof createServices>;
  let tenant: Awaited<ReturnType<typeof givenTenant>>;
  let pageErrors: string[] = [];
  /** Every request the page makes to read one run (the polling). */
  const runReads: string[] = [];

  const runRows = () => page.getByTestId('runs-table').locator('tbody tr');
  const contactsOfTheDay = async () =>
    (await db.query<{ kind: string; channel: string | null; task: string | null; n: number }>(
      `SELECT kind, channel, content->'task'->>'type' AS task, count(*)::int AS n FROM scheduled_contacts
        WHERE tenant_id = $1 AND run_date = $2 GROUP BY 1, 2, 3`,
      [tenant.tenantId, DAY],
    )).rows;

  beforeAll(async () => {
    prepareConsole();
    db = await createTestDatabase();
    const clock = fixedClock(NOW);
    services = createServices({ db, clock, newId });
    tenant = await givenTenant(db, { creditorRef: 'BANCO-1' });
    await givenPortfolio({ db, clock, newId }, tenant, SPREAD);
    const served = await serveConsole(db, services);
    app = served.app;
    browser = await launchChromium();
    ({ page, pageErrors } = await openPage(browser, { timezoneId: 'Europe/Madrid' }));
    page.on('request', (r) => {
      if (r.method() === 'GET' && /\/api\/v1\/runs\/daily\/[^/?]+$/.test(r.url())) runReads.push(r.url());
    });
    await signIn(page, served.base, tenant.apiKey);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await db?.close();
  });

  it('is in the navigation between scheduled contacts and imports, and starts empty', async () => {
    const nav = page.getByRole('navigation');
    const labels = (await nav.getByRole('link').allTextContents()).map((s) => s.trim());
    const at = labels.indexOf('Ejecuciones diarias');
    expect(at).toBeGreaterThan(0);
    expect(labels[at - 1]).toBe('Contactos programados');
    expect(labels[at + 1]).toBe('Importaciones');
    await nav.getByRole('link', { name: 'Ejecuciones diarias' }).click();
    await page.waitForURL('**/app/runs');
    await page.getByRole('heading', { level: 1, name: 'Ejecuciones diarias' }).waitFor();
    await page.getByText('Aún no hay ejecuciones').waitFor();
    expect(await page.getByTestId('runs-table').count()).toBe(0);
    expect(await page.getByTestId('runs-count').textContent()).toBe('0 ejecuciones');
  });

  it('shows the API refusal with its code while the tenant has no strategy', async () => {
    await page.getByRole('button', { name: 'Ejecutar hoy' }).click();
    const banner = page.locator('[data-error-code="JOURNEY_RUN.NO_STRATEGIES"]');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('No se ha podido iniciar la ejecución de hoy');
    expect(text).toContain('JOURNEY_RUN.NO_STRATEGIES');
    expect(text).toContain('HTTP 409');
    // Nothing was started: still the empty state, and the button can be used again.
    await page.getByText('Aún no hay ejecuciones').waitFor();
    expect(await page.getByRole('button', { name: 'Ejecutar hoy' }).isEnabled()).toBe(true);
    await shot(page, 'runs-01-empty-refused-es');
  });

  it("starts today's run without waiting, follows it until completed, and shows the run's figures", async () => {
    await services.journeys.loadBuiltInStrategies(tenant.tenantId);
    // Whether the page ever showed a running row with the button held (however short the run).
    await page.evaluate(() => {
      const w = window as unknown as { sawHeld: boolean };
      w.sawHeld = false;
      const check = () => {
        const button = document.querySelector<HTMLButtonElement>('[data-testid="run-today"]');
        if (button?.disabled && document.querySelector('[data-testid="runs-table"] tr[data-status="running"]')) w.sawHeld = true;
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/runs/daily'));
    await page.getByRole('button', { name: 'Ejecutar hoy' }).click();
    const response = await started;
    expect(response.status()).toBe(202);
    expect(JSON.parse(response.request().postData() ?? '{}')).toEqual({ wait: false });
    const answer = (await response.json()) as { id: string; status: string };
    // The refusal is gone once a run starts.
    expect(await page.locator('[data-error-code="JOURNEY_RUN.NO_STRATEGIES"]').count()).toBe(0);

    const row = page.locator(`[data-testid="runs-table"] tbody tr[data-run="${answer.id}"]`);
    await row.waitFor();
    await page.locator(`[data-testid="runs-table"] tbody tr[data-run="${answer.id}"][data-status="completed"]`).waitFor({ timeout: 20_000 });
    if (answer.status === 'running') {
      // It was answered while running: the button was held, and the page read the run again until it was done.
      expect(await page.evaluate(() => (window as unknown as { sawHeld: boolean }).sawHeld)).toBe(true);
      expect(runReads.some((u) => u.endsWith(`/runs/daily/${answer.id}`))).toBe(true);
    }
    await page.getByRole('button', { name: 'Ejecutar hoy' }).waitFor();
    expect(await runRows().count()).toBe(1);

    // The row says what the API and the database say.
    const { data } = await services.journeys.listRuns(tenant.tenantId, { limit: 10 });
    expect(data).toHaveLength(1);
    const run = data[0]!;
    expect(run).toMatchObject({ id: answer.id, businessDate: DAY, status: 'completed', passes: 1 });
    const inDb = (await contactsOfTheDay()).reduce((s, r) => s + r.n, 0);
    expect(inDb).toBeGreaterThan(0);
    expect(run.contactsScheduled).toBe(inDb);
    expect(await row.getByTestId('run-contacts').textContent()).toBe(es(inDb));
    expect(await row.getByTestId('run-seen').textContent()).toBe(es(SPREAD.length));
    expect(await row.getByTestId('run-status').textContent()).toBe('Completada');
    expect(await row.textContent()).toContain('2 mar 2026');
    expect(await page.getByTestId('runs-count').textContent()).toBe('1 ejecución');
  });

  it('opens the detail: contacts by channel and agent tasks as in the database, journey states, skips', async () => {
    await page.getByRole('link', { name: '2 mar 2026' }).click();
    await page.waitForURL(/\/app\/runs\?run=/);
    const detail = page.getByTestId('run-detail');
    await detail.waitFor();
    await page.getByRole('heading', { name: 'Ejecución del 2 mar 2026' }).waitFor();
    expect(await detail.getAttribute('data-status')).toBe('completed');

    const rows = await contactsOfTheDay();
    const channels = page.getByTestId('run-channels');
    const messages = rows.filter((r) => r.kind !== 'agent_task');
    expect(messages.length).toBeGreaterThan(0);
    for (const r of messages) {
      const line = channels.locator(`[data-count="scheduled.${r.channel}"]`);
      expect(await line.getByTestId('count-value').textContent()).toBe(es(r.n));
    }
    expect(await channels.locator('[data-count^="scheduled."]').count()).toBe(messages.length);
    const channelText = (await channels.textContent()) ?? '';
    expect(channelText).toContain('Contactos por canal');
    if (messages.some((r) => r.channel === 'sms')) expect(channelText).toContain('SMS');
    if (messages.some((r) => r.channel === 'email')) expect(channelText).toContain('Correo electrónico');

    const tasks = page.getByTestId('run-tasks');
    for (const r of rows.filter((x) => x.kind === 'agent_task')) {
      expect(await tasks.locator(`[data-count="scheduled.agent_task.${r.task}"]`).getByTestId('count-value').textContent()).toBe(es(r.n));
    }

    // Journey states: every state is named; their sum is the states the run wrote.
    const journeys = page.getByTestId('run-journeys');
    expect(await journeys.textContent()).toContain('En curso');
    expect(await journeys.textContent()).toContain('Sin recorrido asignado');
    const { data } = await services.journeys.listRuns(tenant.tenantId, { limit: 10 });
    const counts = data[0]!.counts;
    for (const s of ['active', 'paused', 'exited', 'completed', 'unassigned']) {
      expect(await journeys.locator(`[data-count="status.${s}"]`).getByTestId('count-value').textContent()).toBe(es(counts[`status.${s}`] ?? 0));
    }
    const skipped = page.getByTestId('run-skipped');
    expect(await skipped.locator('[data-count="errors"]').getByTestId('count-value').textContent()).toBe(es(counts.errors ?? 0));
    expect(await skipped.textContent()).toContain('Sin franja permitida por la política de contacto');
    expect(await page.getByTestId('run-kpi-contacts').textContent()).toBe(es(data[0]!.contactsScheduled));
    await shot(page, 'runs-02-completed-es');
  });

  it('makes a second pass over the same day in the same row, scheduling nothing twice', async () => {
    const before = (await contactsOfTheDay()).reduce((s, r) => s + r.n, 0);
    const done = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/runs/daily'));
    await page.getByRole('button', { name: 'Ejecutar hoy' }).click();
    expect((await done).status()).toBe(202);
    await page.getByTestId('run-progress').filter({ hasText: '2 pasadas' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="runs-table"] tbody tr[data-status="completed"]').waitFor({ timeout: 20_000 });
    expect(await runRows().count()).toBe(1);
    expect((await contactsOfTheDay()).reduce((s, r) => s + r.n, 0)).toBe(before);
    const { data } = await services.journeys.listRuns(tenant.tenantId, { limit: 10 });
    expect(data[0]!.passes).toBe(2);
    expect(await runRows().first().getByTestId('run-contacts').textContent()).toBe(es(data[0]!.contactsScheduled));
    const alreadyAdvanced = data[0]!.counts.alreadyAdvanced ?? 0;
    expect(alreadyAdvanced).toBeGreaterThan(0);
    await page.getByTestId('run-skipped').locator('[data-count="alreadyAdvanced"]').filter({ hasText: es(alreadyAdvanced) }).waitFor();
  });

  it('reads the same in English, and links to the day’s scheduled contacts', async () => {
    await page.getByRole('radio', { name: 'Inglés' }).check();
    await page.getByRole('heading', { level: 1, name: 'Daily runs' }).waitFor();
    await page.getByRole('heading', { name: 'Contacts by channel' }).waitFor();
    expect(await runRows().first().getByTestId('run-status').textContent()).toBe('Completed');
    expect(await page.getByRole('button', { name: 'Run today' }).isEnabled()).toBe(true);
    expect(await page.getByTestId('run-progress').textContent()).toBe('2 passes');
    expect(await page.getByTestId('run-skipped').textContent()).toContain('Already advanced today in an earlier pass');
    expect(await page.getByTestId('run-detail').textContent()).toContain("Summed over the day's 2 passes");
    await shot(page, 'runs-03-completed-en');

    await page.getByRole('link', { name: 'View scheduled contacts' }).click();
    await page.waitForURL(`**/app/contacts?runDate=${DAY}`);
    await page.getByText('What the daily run of 2 Mar 2026 decided').waitFor();
    await page.getByTestId('contacts-table').locator('tbody tr').first().waitFor();
    const total = (await contactsOfTheDay()).reduce((s, r) => s + r.n, 0);
    expect(await page.getByTestId('contacts-count').textContent()).toContain(String(Math.min(total, 50)));
  });

  it('shows a failed run shared by several processes with its error, and counters it does not know by name', async () => {
    // The engine does not fail on this portfolio, so the list is answered here with such a run.
    const failed = {
      id: 'jrn_failed', businessDate: '2026-03-01', decidedAt: '2026-03-01T05:00:00.000Z', status: 'failed', passes: 1, slices: 4, slicesDone: 2,
      accountsSeen: 1200, accountsAdvanced: 900, accountsAssigned: 40, contactsScheduled: 610,
      counts: { 'scheduled.sms': 600, 'scheduled.agent_task.call': 10, 'status.active': 900, errors: 3, 'brand.newCounter': 7 },
      error: 'connection terminated unexpectedly', startedAt: '2026-03-01T05:00:00.000Z', finishedAt: '2026-03-01T05:02:05.500Z',
    };
    await page.route('**/api/v1/runs/daily?*', (route) => route.fulfill({ json: { data: [failed], nextCursor: null } }));
    await page.goto(page.url().replace(/\/app\/contacts.*$/, '/app/runs'));
    const row = page.locator('[data-testid="runs-table"] tbody tr[data-run="jrn_failed"]');
    expect(await row.getByTestId('run-status').textContent()).toBe('Failed');
    expect(await row.getByTestId('run-progress').textContent()).toBe('2 of 4 slices');
    expect(await row.textContent()).toContain('Took 2 mins 6 secs');
    expect(await row.getByTestId('run-contacts').textContent()).toBe('610');
    expect(await page.getByTestId('run-error').textContent()).toBe('The run failedconnection terminated unexpectedly');
    expect(await page.getByTestId('run-tasks').locator('[data-count="scheduled.agent_task.call"]').textContent()).toContain('Call by an agent');
    expect(await page.getByTestId('run-skipped').locator('[data-count="brand.newCounter"]').textContent()).toContain('7');
    expect(await page.getByTestId('run-detail').textContent()).toContain('2 of 4 slices');
    await shot(page, 'runs-05-failed-en');
    await page.unroute('**/api/v1/runs/daily?*');
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(page.url().replace(/\/app\/contacts.*$/, '/app/runs'));
    await page.getByTestId('run-detail').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'runs-04-phone-en');
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(pageErrors).toEqual([]);
  });
});
