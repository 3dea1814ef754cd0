import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type ReceivedRequest } from '../../../test/fakes/http.ts';
import { NO_WHATSAPP, startFakeMeta, type FakeMeta } from '../../../test/fakes/meta.ts';
import { MetaConfig } from '../channel.config.ts';
import { isStatusAdvance } from '../channel.support.ts';
import type { ChannelAdapter, DeliveryStatus, SendFailure, StatusEvent, WebhookRequest } from '../channel.types.ts';
import { createMetaAdapter } from './meta.adapter.ts';

/**
 * The WhatsApp Cloud API adapter against a local fake of Meta's Graph API over real HTTP:
 * template and free-form payloads, Graph error bodies, and the signed status and inbound
 * webhooks Meta posts afterwards.
 */
const PHONE_ID = '106540352242922';
const TOKEN = 'EAAGm0PX4ZCpsBAtest-token-for-fake';
const SECRET = 'meta-app-secret-0123456789';

let fake: FakeMeta;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let adapter: ChannelAdapter;

const config = (overrides: Partial<MetaConfig> = {}): MetaConfig =>
  MetaConfig.parse({ provider: 'meta', phoneNumberId: PHONE_ID, accessToken: TOKEN, appSecret: SECRET, baseUrl: fake.url, timeoutMs: 2000, ...overrides });

const asRequest = (r: ReceivedRequest): WebhookRequest => ({ url: r.url, method: r.method, headers: r.headers, rawBody: r.rawBody });
const failed = (r: unknown): SendFailure => {
  expect(r).toMatchObject({ ok: false });
  return r as SendFailure;
};

const template = (parameters: string[], name = 'tacto_missed_payment_1') => ({
  channel: 'whatsapp' as const, to: '+34600111222',
  content: { kind: 'template' as const, name, language: 'es', bodyParameters: parameters, previewText: 'Hola…' },
});

/** Statuses of every webhook received from `from` on, verified and parsed. */
const statusesSince = (from: number): StatusEvent[] => {
  const events: StatusEvent[] = [];
  for (const call of receiver.requests.slice(from)) {
    expect(adapter.webhooks?.verifySignature(asRequest(call))).toEqual({ ok: true });
    const parsed = adapter.webhooks?.parseStatusCallback(asRequest(call));
    if (parsed?.ok) events.push(...parsed.events);
  }
  return events;
};

beforeAll(async () => {
  fake = await startFakeMeta({ accessToken: TOKEN, appSecret: SECRET, phoneNumberId: PHONE_ID });
  fake.approveTemplate('tacto_missed_payment_1', 'es', 5);
  receiver = await startReceiver();
  adapter = createMetaAdapter(config());
});
afterAll(async () => {
  await fake.close();
  await receiver.close();
});

describe('template messages', () => {
  it('sends name, language and body parameters, and carries our key as biz_opaque_callback_data', async () => {
    const r = await adapter.send(template(['Lucía', 'Financiera Sol', '185,40 €', '15 de marzo de 2026', 'https://pagos.example/p/1']), { idempotencyKey: 'cnt_1:1' });
    expect(r).toMatchObject({ ok: true, status: 'queued' });
    expect(r.ok && r.externalId).toMatch(/^wamid\./);
    expect(fake.messages.at(-1)).toMatchObject({
      type: 'template', bizOpaqueCallbackData: 'cnt_1:1',
      template: { name: 'tacto_missed_payment_1', language: 'es', parameters: ['Lucía', 'Financiera Sol', '185,40 €', '15 de marzo de 2026', 'https://pagos.example/p/1'] },
    });
  });

  it('flattens parameters Meta would reject (new lines, long runs of spaces)', async () => {
    await adapter.send(template(['Lucía\nRuiz', 'A     B', 'c', 'd', 'e']), { idempotencyKey: 'cnt_1:2' });
    expect(fake.messages.at(-1)?.template?.parameters.slice(0, 2)).toEqual(['Lucía Ruiz', 'A   B']);
  });

  it('maps a wrong parameter count and an unknown template to TEMPLATE_REJECTED', async () => {
    const count = failed(await adapter.send(template(['only one']), { idempotencyKey: 'tpl_1' }));
    expect(count).toMatchObject({ kind: 'permanent', code: 'CHANNEL.TEMPLATE_REJECTED', providerCode: '132000', scope: 'message' });
    const missing = failed(await adapter.send(template(['a'], 'tacto_unknown'), { idempotencyKey: 'tpl_2' }));
    expect(missing).toMatchObject({ kind: 'permanent', code: 'CHANNEL.TEMPLATE_REJECTED', providerCode: '132001' });
  });

  it('reports delivery out of order without going backwards, each webhook signed', async () => {
    const r = await adapter.send(template(['a', 'b', 'c', 'd', 'e']), { idempotencyKey: 'cnt_2:1' });
    const seen = receiver.requests.length;
    await fake.deliver(`${receiver.url}/webhooks/meta`, r.ok ? r.externalId : '');
    await receiver.waitFor(seen + 2);
    const events = statusesSince(seen);
    expect(events.map((e) => e.status)).toEqual(['sent', 'read', 'delivered']);
    expect(events.every((e) => e.idempotencyKey === 'cnt_2:1' && e.recipient === '+34600111222')).toBe(true);
    let current: DeliveryStatus = 'queued';
    for (const e of events) if (isStatusAdvance(current, e.status)) current = e.status;
    expect(current).toBe('read');
  });

  it('reports 131026 for a number without WhatsApp in the failed webhook', async () => {
    const r = await adapter.send({ ...template(['a', 'b', 'c', 'd', 'e']), to: NO_WHATSAPP }, { idempotencyKey: 'cnt_3:1' });
    expect(r.ok).toBe(true);
    const seen = receiver.requests.length;
    await fake.deliver(`${receiver.url}/webhooks/meta`, r.ok ? r.externalId : '');
    await receiver.waitFor(seen + 1);
    expect(statusesSince(seen)).toMatchObject([{ status: 'failed', error: { providerCode: '131026', code: 'CHANNEL.RECIPIENT_UNREACHABLE', kind: 'permanent', scope: 'recipient' } }]);
    expect(statusesSince(seen)[0]?.error?.message).not.toContain('555');
  });
});

describe('free-form text and the 24-hour window', () => {
  it('refuses locally once the window the caller states has closed', async () => {
    const before = fake.messages.length;
    const r = failed(await adapter.send({ channel: 'whatsapp', to: '+34600111222', content: { kind: 'text', body: 'hola', serviceWindowClosesAt: new Date(Date.now() - 1) } }, { idempotencyKey: 'txt_1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.WINDOW_CLOSED' });
    expect(fake.messages.length).toBe(before);
  });

  it('sends inside a window the debtor opened by writing to us', async () => {
    const seen = receiver.requests.length;
    await fake.userWrites(`${receiver.url}/webhooks/meta`, '+5215512345678', 'Hola, ¿cuánto debo?');
    const [inbound] = (await receiver.waitFor(seen + 1)).slice(seen);
    const parsed = adapter.webhooks?.parseInbound(asRequest(inbound as ReceivedRequest));
    expect(parsed).toMatchObject({ ok: true, events: [{ from: '+5215512345678', text: 'Hola, ¿cuánto debo?', to: PHONE_ID }] });
    const received = parsed?.ok ? parsed.events[0]?.receivedAt : undefined;
    const closes = new Date((received ?? new Date()).getTime() + 24 * 3600_000);
    const r = await adapter.send({ channel: 'whatsapp', to: '+5215512345678', content: { kind: 'text', body: 'Tu saldo es…', serviceWindowClosesAt: closes } }, { idempotencyKey: 'txt_2' });
    expect(r.ok).toBe(true);
    expect(fake.messages.at(-1)).toMatchObject({ type: 'text', text: 'Tu saldo es…' });
    expect(fake.messages.at(-1)?.pendingError).toBeUndefined();
  });

  it('maps 131047 when the caller believed a window was open that Meta does not see', async () => {
    const r = await adapter.send({ channel: 'whatsapp', to: '+34600999888', content: { kind: 'text', body: 'hola', serviceWindowClosesAt: new Date(Date.now() + 3600_000) } }, { idempotencyKey: 'txt_3' });
    const seen = receiver.requests.length;
    await fake.deliver(`${receiver.url}/webhooks/meta`, r.ok ? r.externalId : '');
    await receiver.waitFor(seen + 1);
    expect(statusesSince(seen)).toMatchObject([{ status: 'failed', idempotencyKey: 'txt_3', error: { providerCode: '131047', code: 'CHANNEL.WINDOW_CLOSED', kind: 'permanent' } }]);
  });
});

describe('Graph errors become typed failures', () => {
  const rows: { code: number; status: number; kind: string; ours: string; scope: string; retry?: number }[] = [
    { code: 130429, status: 400, kind: 'transient', ours: 'CHANNEL.RATE_LIMITED', scope: 'account', retry: 60 },
    { code: 131056, status: 400, kind: 'transient', ours: 'CHANNEL.RATE_LIMITED', scope: 'recipient', retry: 60 },
    { code: 131000, status: 500, kind: 'transient', ours: 'CHANNEL.PROVIDER_ERROR', scope: 'message' },
    { code: 368, status: 403, kind: 'permanent', ours: 'CHANNEL.ACCOUNT_RESTRICTED', scope: 'account' },
    { code: 131050, status: 400, kind: 'permanent', ours: 'CHANNEL.RECIPIENT_OPTED_OUT', scope: 'recipient' },
    { code: 999_999, status: 400, kind: 'permanent', ours: 'CHANNEL.PROVIDER_ERROR', scope: 'message' },
    { code: 999_998, status: 503, kind: 'transient', ours: 'CHANNEL.PROVIDER_UNAVAILABLE', scope: 'message' },
  ];
  for (const row of rows) {
    it(`${row.code} (HTTP ${row.status}) → ${row.kind} ${row.ours}`, async () => {
      fake.failNext({ status: row.status, code: row.code, message: `injected ${row.code} for +34600111222` });
      const r = failed(await adapter.send(template(['a', 'b', 'c', 'd', 'e']), { idempotencyKey: `gerr_${row.code}` }));
      expect(r).toMatchObject({ kind: row.kind, code: row.ours, scope: row.scope, providerCode: String(row.code) });
      if (row.retry) expect(r.retryAfterSeconds).toBe(row.retry);
      expect(r.message).not.toContain('600111222');
      if (row.status >= 500) expect(r.uncertain).toBe(true);
    });
  }

  it('an invalid token pauses the account', async () => {
    const wrong = createMetaAdapter(config({ accessToken: 'EAAwrong-token-000000000000' }));
    const r = failed(await wrong.send(template(['a', 'b', 'c', 'd', 'e']), { idempotencyKey: 'tok_1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.AUTH_FAILED', scope: 'account', providerCode: '190' });
  });

  it('refuses channels it does not carry', async () => {
    const r = failed(await adapter.send({ channel: 'sms', to: '+34600111222', body: 'x' }, { idempotencyKey: 'sms_1' }));
    expect(r).toMatchObject({ kind: 'permanent', code: 'CHANNEL.UNSUPPORTED' });
  });
});
