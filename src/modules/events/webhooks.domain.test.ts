import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import {
  MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, buildEnvelope, decideAfterAttempt, describeAttempt, isSecret, jitterFraction, matchesFilter,
  planDeliveries, retryDelayMs, retrySchedule, secretFromBytes, signRequest,
} from './webhooks.domain.ts';
import { EVENT_TYPES } from './outbox.repo.ts';

const now = new Date('2026-03-15T10:00:00Z');

describe('retry schedule', () => {
  it.each([
    [1, 30],
    [2, 120],
    [3, 600],
    [4, 3_600],
    [5, 21_600],
    [6, 86_400],
    [7, 86_400],
  ])('after failed attempt %i waits %i s (no jitter at the midpoint)', (attempt, seconds) => {
    expect(retryDelayMs(attempt, 0.5)).toBe(seconds * 1000);
  });

  it('stops after the last attempt', () => {
    expect(retryDelayMs(MAX_ATTEMPTS, 0.5)).toBeNull();
    expect(retryDelayMs(MAX_ATTEMPTS + 3, 0.5)).toBeNull();
  });

  it('keeps every wait within ±10 % of its base, for any jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_ATTEMPTS - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, j) => {
        const base = RETRY_DELAYS_SECONDS[attempt - 1]! * 1000;
        const d = retryDelayMs(attempt, j)!;
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
        expect(d).toBeLessThanOrEqual(Math.ceil(base * 1.1));
      }),
    );
  });

  it('is deterministic per delivery and attempt, and spreads different deliveries', () => {
    expect(retrySchedule('whd_a', now)).toEqual(retrySchedule('whd_a', now));
    expect(retrySchedule('whd_a', now)).not.toEqual(retrySchedule('whd_b', now));
    const fractions = Array.from({ length: 1000 }, (_, i) => jitterFraction(`whd_${i}:1`));
    expect(Math.min(...fractions)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...fractions)).toBeLessThan(1);
    // Roughly uniform: each tenth of the range gets some deliveries.
    for (let k = 0; k < 10; k++) expect(fractions.filter((f) => f >= k / 10 && f < (k + 1) / 10).length).toBeGreaterThan(50);
  });

  it('lists MAX_ATTEMPTS - 1 increasing retry instants', () => {
    const s = retrySchedule('whd_x', now);
    expect(s).toHaveLength(MAX_ATTEMPTS - 1);
    for (let i = 1; i < s.length; i++) expect(s[i]!.getTime()).toBeGreaterThan(s[i - 1]!.getTime());
  });

  it('rejects attempt numbers below 1', () => {
    expect(() => retryDelayMs(0, 0.5)).toThrow();
  });
});

describe('decideAfterAttempt', () => {
  it.each([
    [{ kind: 'response', status: 200, body: '' }, 1, 'delivered'],
    [{ kind: 'response', status: 204, body: '' }, 7, 'delivered'],
    [{ kind: 'response', status: 410, body: 'gone' }, 1, 'endpoint_gone'],
    [{ kind: 'response', status: 500, body: 'boom' }, 1, 'retry'],
    [{ kind: 'response', status: 301, body: '' }, 1, 'retry'],
    [{ kind: 'response', status: 429, body: '' }, 2, 'retry'],
    [{ kind: 'timeout', afterMs: 10_000 }, 3, 'retry'],
    [{ kind: 'network', message: 'ECONNREFUSED' }, MAX_ATTEMPTS - 1, 'retry'],
    [{ kind: 'network', message: 'ECONNREFUSED' }, MAX_ATTEMPTS, 'failed'],
    [{ kind: 'response', status: 500, body: '' }, MAX_ATTEMPTS, 'failed'],
  ] as const)('%o on attempt %i -> %s', (result, attempt, status) => {
    expect(decideAfterAttempt(result, attempt, now, 'whd_1').status).toBe(status);
  });

  it('schedules the retry from now using the delivery schedule', () => {
    const out = decideAfterAttempt({ kind: 'timeout', afterMs: 10_000 }, 1, now, 'whd_1');
    expect(out).toEqual({ status: 'retry', nextAttemptAt: retrySchedule('whd_1', now)[0] });
  });

  it('describes failures briefly', () => {
    expect(describeAttempt({ kind: 'response', status: 200, body: 'ok' })).toBeNull();
    expect(describeAttempt({ kind: 'response', status: 500, body: ' Internal\n  error ' })).toBe('HTTP 500: Internal error');
    expect(describeAttempt({ kind: 'response', status: 503, body: 'x'.repeat(1000) })!.length).toBeLessThanOrEqual(210);
    expect(describeAttempt({ kind: 'timeout', afterMs: 10_000 })).toBe('timed out after 10000 ms');
    expect(describeAttempt({ kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:9' })).toBe('network error: connect ECONNREFUSED 127.0.0.1:9');
  });
});

describe('subscriptions', () => {
  it.each([
    [['*'], 'payment.recorded', true],
    [['payment.recorded'], 'payment.recorded', true],
    [['payment.recorded'], 'account.updated', false],
    [['account.*'], 'account.balance_changed', true],
    [['account.*'], 'accounts.x', false],
    [['debtor.*', 'payment.recorded'], 'payment.recorded', true],
    [[], 'payment.recorded', false],
  ] as const)('%j matches %s: %s', (filters, type, expected) => {
    expect(matchesFilter(filters, type)).toBe(expected);
  });

  it('plans one delivery per matching endpoint of the same tenant only', () => {
    const old = planDeliveries(
      [{ tenantId: 'ten_a', id: 'evt_0', type: 'payment.recorded', occurredAt: new Date('2026-01-01T00:00:00Z') }],
      [{ tenantId: 'ten_a', id: 'whe_new', eventTypes: ['*'], createdAt: new Date('2026-02-01T00:00:00Z') }],
    );
    expect(old).toEqual([]);
    const plan = planDeliveries(
      [
        { tenantId: 'ten_a', id: 'evt_1', type: 'payment.recorded' },
        { tenantId: 'ten_b', id: 'evt_2', type: 'payment.recorded' },
        { tenantId: 'ten_a', id: 'evt_3', type: 'debtor.created' },
      ],
      [
        { tenantId: 'ten_a', id: 'whe_all', eventTypes: ['*'] },
        { tenantId: 'ten_a', id: 'whe_pay', eventTypes: ['payment.recorded'] },
        { tenantId: 'ten_b', id: 'whe_b', eventTypes: ['debtor.*'] },
      ],
    );
    expect(plan).toEqual([
      { tenantId: 'ten_a', eventId: 'evt_1', endpointId: 'whe_all' },
      { tenantId: 'ten_a', eventId: 'evt_1', endpointId: 'whe_pay' },
      { tenantId: 'ten_a', eventId: 'evt_3', endpointId: 'whe_all' },
    ]);
  });
});

describe('envelope and signature', () => {
  const secret = secretFromBytes(new Uint8Array(32).fill(7));

  it('wraps the payload as {type, timestamp, data} with the event id', () => {
    expect(buildEnvelope({ id: 'evt_1', type: 'payment.recorded', occurredAt: now, payload: { accountId: 'acc_1', eventId: 'spoof' } })).toEqual({
      type: 'payment.recorded',
      timestamp: '2026-03-15T10:00:00.000Z',
      data: { accountId: 'acc_1', eventId: 'evt_1' },
    });
  });

  it('signs so that the reference Standard Webhooks library verifies it', () => {
    const at = new Date();
    const req = signRequest(secret, 'evt_1', at, buildEnvelope({ id: 'evt_1', type: 'debtor.created', occurredAt: now, payload: { debtorId: 'dbt_1' } }));
    expect(req.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(req.headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(new Webhook(secret).verify(req.body, req.headers)).toMatchObject({ type: 'debtor.created', data: { debtorId: 'dbt_1' } });
    expect(() => new Webhook(secretFromBytes(new Uint8Array(32).fill(8))).verify(req.body, req.headers)).toThrow();
    expect(() => new Webhook(secret).verify(req.body.replace('dbt_1', 'dbt_2'), req.headers)).toThrow();
  });

  it('recognises the whsec_ secret format', () => {
    expect(isSecret(secret)).toBe(true);
    expect(isSecret('whsec_')).toBe(false);
    expect(isSecret('whsec_c2hvcnQ=')).toBe(false); // 5 bytes
    expect(isSecret(secret.replace('whsec_', ''))).toBe(false);
  });
});

describe('docs/webhooks.md stays true', () => {
  const doc = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    headers: { 'webhook-id': 'evt_01jq3z8x6t5m2c9d7h4k0n1p8r', 'webhook-timestamp': '1773569402', 'webhook-signature': 'v1,oCuELdiCsftfQyLLy8Qfugh3esFKLXikiz9ujDsycVw=' },
  };
  const body = /\n\n(\{"type":"payment\.recorded".*\})\n```/.exec(doc)![1]!;

  it('documents every event type', () => {
    for (const t of EVENT_TYPES) expect(doc).toContain(`### \`${t}\``);
  });

  it('shows a request that our signer produces byte for byte', () => {
    const envelope = JSON.parse(body) as { type: string; timestamp: string; data: Record<string, unknown> };
    const { eventId, ...payload } = envelope.data;
    const signed = signRequest(vector.secret, String(eventId), new Date(1773569402 * 1000), buildEnvelope({ id: String(eventId), type: envelope.type, occurredAt: new Date(envelope.timestamp), payload }));
    expect(signed.body).toBe(body);
    expect(signed.headers).toMatchObject(vector.headers);
    for (const [k, v] of Object.entries(vector.headers)) expect(doc).toContain(`${k}: ${v}`);
  });

  it('has a plain node:crypto verifier that accepts the vector and refuses tampering', () => {
    const block = /### Node, with plain `node:crypto`\s+```js\n([\s\S]*?)```/.exec(doc)![1]!;
    const code = block.replace(/^import .*$/m, '').replace('export function', 'function');
    type Verify = (secret: string, headers: Record<string, string>, raw: string, tolerance?: number) => { type: string };
    const verify = new Function('createHmac', 'timingSafeEqual', `${code}\nreturn verifyTactoWebhook;`)(createHmac, timingSafeEqual) as Verify;
    expect(verify(vector.secret, vector.headers, body, 1e10).type).toBe('payment.recorded');
    expect(() => verify(vector.secret, vector.headers, body.replace('12050', '12051'), 1e10)).toThrow('no matching signature');
    expect(() => verify(vector.secret, vector.headers, body)).toThrow('timestamp outside tolerance');
  });
});
