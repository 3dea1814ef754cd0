import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { PGLITE_TEMPLATE } from '../../src/context.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { createSecretBox, parseSecretKey } from '../../src/lib/secretbox.ts';
import { createServices } from '../../src/services.ts';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.ts';
import { givenMessagingTenant } from '../support/messaging.ts';

/**
 * Reliability: `tacto dispatch` runs as child processes against a local Twilio fake over HTTP
 * and is SIGKILLed at random points, again and again, restarting each time. Twilio has no
 * idempotency key, so every kill between "Twilio accepted it" and "we recorded it" must be
 * reconciled by looking the message up (findSent) rather than sending again. Afterwards every
 * contact was sent exactly once (counted at the fake) and every status is recorded.
 *
 * On PostgreSQL three dispatchers run side by side (SKIP LOCKED) and 50 kills are made; on PGlite
 * (one process per data directory, ~4 s to start here) one at a time and 10 kills, to keep the
 * test near a minute. TACTO_KILLS overrides the count.
 */
const url = process.env.DATABASE_URL;
const KILLS = Number(process.env.TACTO_KILLS ?? (url ? 50 : 10));
const PARALLEL = url ? 3 : 1;
const CONTACTS = url ? 260 : 60;
const ROOT = resolve(import.meta.dirname, '..', '..');
const KEY = randomBytes(32).toString('hex');
const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'fake-twilio-auth-token-0001';

let fake: FakeTwilio;
let env: Record<string, string>;
let open: () => Promise<Database>;
let cleanup: () => Promise<void>;
let tmp: string;

beforeAll(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, autoSend: true, createDelayMs: 60 });
  tmp = mkdtempSync(join(tmpdir(), 'tacto-kill-'));
  if (url) {
    const name = `tacto_test_${process.pid}_kill`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${name}`;
    env = { DATABASE_URL: u.toString() };
    open = () => openDatabase({ databaseUrl: u.toString(), poolSize: 2 });
    cleanup = async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  } else {
    env = { TACTO_DATA_DIR: tmp };
    open = () => openDatabase({ dataDir: join(tmp, 'pglite'), templateDir: PGLITE_TEMPLATE });
    cleanup = async () => undefined;
  }
}, 60_000);

afterAll(async () => {
  await fake?.close();
  await cleanup?.();
  rmSync(tmp, { recursive: true, force: true });
});

const spawnDispatcher = (args: string[]): ChildProcess =>
  spawn(process.execPath, ['src/main.ts', 'dispatch', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL ?? '', TACTO_SECRET_KEY: KEY, LOG_LEVEL: 'silent', TACTO_OUTBOUND_ALLOW_PRIVATE: 'on', TACTO_PUBLIC_URL: 'http://127.0.0.1:9' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });

const exited = (c: ChildProcess): Promise<number | null> =>
  new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

/** Starts a dispatcher, waits until it is dispatching, lets it work a random while, kills it. */
const killOnce = async (): Promise<void> => {
  const child = spawnDispatcher(['--batch', '3', '--lease', '3', '--concurrency', '2', '--idle', '100']);
  let err = '';
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`dispatcher did not start: ${err}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('running')) {
        clearTimeout(timer);
        resolveReady();
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`dispatcher exited early: ${err}`));
    });
  });
  await new Promise((r) => setTimeout(r, 20 + Math.random() * 500));
  child.kill('SIGKILL');
  await exited(child);
};

describe('dispatcher killed at random points', () => {
  it(`sends every contact exactly once across ${KILLS} SIGKILLs and records every status`, async () => {
    // Seed through the services, then let go of the database (PGlite: one process at a time).
    const db = await open();
    await migrate(db);
    const clock = fixedClock(new Date().toISOString());
    const services = createServices({ db, clock, newId, messaging: { secretBox: createSecretBox(parseSecretKey(KEY)) } });
    const m = await givenMessagingTenant(db, { firstParty: true });
    await services.messaging.registry.put(m.tenantId, {
      config: { provider: 'twilio', accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', statusCallbackUrl: 'http://127.0.0.1:9/webhooks/twilio/x/status', baseUrl: fake.url },
      settings: { channels: ['sms'], ratePerSecond: 1000, burst: 1000, reconcileAfterSeconds: 2 },
    });
    const now = Date.now();
    const phones: string[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      const phone = `+3460${String(1_000_000 + i).padStart(7, '0')}`;
      phones.push(phone);
      const d = await m.debtor({ phone, timezone: 'UTC' });
      await m.schedule({ ...d, contactPointId: d.contactPoints[0]!.id, destination: phone, channel: 'sms', sendAt: new Date(now - 60_000).toISOString(), key: `kill:${i}` });
    }
    // Spain's pack limits the hours of calls, not of texts: the re-check allows these at any hour.
    await db.close();

    let kills = 0;
    const runners = Array.from({ length: PARALLEL }, async () => {
      while (kills < KILLS) {
        kills++;
        await killOnce();
      }
    });
    await Promise.all(runners);
    const killedAt = fake.messages.length;

    // Then one dispatcher runs to the end (reconciling what the kills left 'sending').
    const deadline = Date.now() + 60_000;
    for (;;) {
      const child = spawnDispatcher(['--once', '--batch', '50', '--lease', '3']);
      expect(await exited(child)).toBe(0);
      const check = await open();
      const open_ = (await check.query<{ n: number }>(`SELECT count(*)::int AS n FROM scheduled_contacts WHERE tenant_id = $1 AND status NOT IN ('sent','delivered','read')`, [m.tenantId])).rows[0]!.n;
      const states = (await check.query(`SELECT s.status, s.status_reason, m.status AS message, count(*)::int AS n FROM scheduled_contacts s LEFT JOIN messages m ON m.tenant_id = s.tenant_id AND m.scheduled_contact_id = s.id
        WHERE s.tenant_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, [m.tenantId])).rows;
      await check.close();
      if (open_ === 0) break;
      if (Date.now() > deadline) throw new Error(`${open_} contacts still open: ${JSON.stringify(states)}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    const perPhone = new Map<string, number>();
    for (const msg of fake.messages) perPhone.set(msg.to, (perPhone.get(msg.to) ?? 0) + 1);
    const twice = [...perPhone].filter(([, n]) => n > 1);
    expect(twice, `sent more than once (of ${fake.messages.length} at the fake, ${killedAt} before the final run)`).toEqual([]);
    expect(phones.filter((p) => !perPhone.has(p))).toEqual([]);

    const check = await open();
    try {
      const rows = (await check.query<{ status: string; m_status: string; external_id: string | null; destination: string }>(
        `SELECT s.status, m.status AS m_status, m.external_id, m.destination FROM scheduled_contacts s
         JOIN messages m ON m.tenant_id = s.tenant_id AND m.scheduled_contact_id = s.id WHERE s.tenant_id = $1`, [m.tenantId])).rows;
      expect(rows).toHaveLength(CONTACTS);
      const sidByPhone = new Map(fake.messages.map((x) => [x.to, x.sid]));
      for (const r of rows) {
        expect(r.status).toBe('sent');
        expect(r.m_status).toBe('sent');
        expect(r.external_id).toBe(sidByPhone.get(r.destination));
      }
      const history = (await check.query<{ n: number }>(`SELECT count(*)::int AS n FROM message_status_history h JOIN messages m ON m.tenant_id = h.tenant_id AND m.id = h.message_id WHERE m.tenant_id = $1 AND h.status = 'sent'`, [m.tenantId])).rows[0]!.n;
      expect(history).toBe(CONTACTS);
    } finally {
      await check.close();
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
  }, 240_000);
});
