import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../http/errors.ts';
import { answerMetaSubscription, type InboundEvent, type StatusEvent, type WebhookRequest } from '../../channels/index.ts';
import type { MessagingService } from './messaging.service.ts';
import { ChannelConfigInput, type TenantChannel } from './messaging.channels.ts';
import { splitMetaWebhook } from './messaging.metaroute.domain.ts';

/**
 * Two sets of routes:
 * - `messagingApiRoutes` under /api/v1 (API key): channel configuration, the sandbox inbox,
 *   a debtor's messages;
 * - `messagingPublicRoutes` at the root, without API keys: provider webhooks (each verified
 *   against the tenant's provider secret; 403 otherwise), tracked links and one-click
 *   unsubscribe. Docs: docs/messaging.md#webhooks.
 */

/** A bounce e-mail may return the whole message (a letter with its PDF). */
const DSN_BODY_LIMIT = 10 * 1024 * 1024;

const TenantParam = z.object({ tenantId: z.string().min(1).max(64) });
const Ack = z.object({ received: z.number().int(), applied: z.number().int() });
const Forbidden = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const publicErrors = { 403: Forbidden, 404: Forbidden, 400: Forbidden };

const rawOf = (req: FastifyRequest): string => (typeof req.body === 'string' ? req.body : Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');

const webhookRequest = (publicUrl: string, req: FastifyRequest): WebhookRequest => ({
  // The URL the provider called, rebuilt from the configured public base URL, never from Host.
  url: `${publicUrl}${req.url}`,
  method: req.method,
  headers: req.headers as WebhookRequest['headers'],
  rawBody: rawOf(req),
});

const deny = (reply: FastifyReply, code: string, message: string) => reply.status(403).send({ error: { code, message } });
const missing = (reply: FastifyReply, what: string) => reply.status(404).send({ error: { code: 'CHANNEL_CONFIG.NOT_FOUND', message: `${what} is not configured for this tenant` } });

/** The documented e-mail bounce notification (docs/messaging.md#e-mail-bounces). */
export const BounceNotification = z.object({
  bounces: z.array(z.object({
    /** The Message-ID of the message that bounced, with or without angle brackets. */
    messageId: z.string().min(3).max(300),
    type: z.enum(['hard', 'soft']),
    /** RFC 3463 enhanced status code, e.g. 5.1.1. */
    status: z.string().max(20).optional(),
    diagnostic: z.string().max(1000).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })).min(1).max(1000),
});

const verifyBounceSignature = (secret: string, raw: string | Buffer, header: unknown): boolean => {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

export const messagingPublicRoutes =
  (messaging: MessagingService): FastifyPluginAsyncZod =>
  async (app) => {
    // Signatures are computed over the exact bytes: keep bodies raw in this scope.
    app.addContentTypeParser(['application/x-www-form-urlencoded', 'application/json'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
    // Bounce e-mails are bytes (8-bit parts, any charset): signed and parsed as received.
    app.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: DSN_BODY_LIMIT }, (_req, body, done) => done(null, body));
    const { receipts, registry, publicUrl } = messaging;

    const twilio = (kind: 'status' | 'inbound') => async (req: FastifyRequest<{ Params: { tenantId: string } }>, reply: FastifyReply) => {
      const ch = await registry.forProvider(req.params.tenantId, 'twilio');
      if (!ch?.adapter.webhooks) return missing(reply, 'twilio');
      const request = webhookRequest(publicUrl, req);
      const sig = ch.adapter.webhooks.verifySignature(request);
      if (!sig.ok) return deny(reply, sig.code, sig.message);
      if (kind === 'status') {
        const parsed = ch.adapter.webhooks.parseStatusCallback(request);
        if (!parsed.ok) return reply.status(400).send({ error: { code: parsed.code, message: parsed.message } });
        let applied = 0;
        for (const e of parsed.events) if ((await receipts.applyStatus(req.params.tenantId, e)).applied) applied++;
        return reply.status(200).send({ received: parsed.events.length, applied });
      }
      const parsed = ch.adapter.webhooks.parseInbound(request);
      if (!parsed.ok) return reply.status(400).send({ error: { code: parsed.code, message: parsed.message } });
      for (const e of parsed.events) await receipts.receive(req.params.tenantId, e);
      // Empty TwiML: no automatic reply (the opt-out confirmation goes through the dispatcher).
      return reply.status(200).type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    };

    app.post('/webhooks/twilio/:tenantId/status', {
      schema: { tags: ['webhooks'], summary: 'Twilio status callback (X-Twilio-Signature verified)', security: [], params: TenantParam, response: { 200: Ack, ...publicErrors } },
      handler: twilio('status'),
    });
    app.post('/webhooks/twilio/:tenantId/inbound', {
      schema: { tags: ['webhooks'], summary: 'Twilio inbound SMS / WhatsApp (X-Twilio-Signature verified); answers empty TwiML', security: [], params: TenantParam, response: { 200: z.string(), ...publicErrors } },
      handler: twilio('inbound'),
    });

    const malformed = (reply: FastifyReply, message: string) => reply.status(400).send({ error: { code: 'CHANNEL.WEBHOOK_MALFORMED', message } });
    const MetaQuery = z.object({ 'hub.mode': z.string().optional(), 'hub.verify_token': z.string().optional(), 'hub.challenge': z.string().optional() });

    /** A tenant's statuses and replies in a Meta webhook (verified before): parsed, not applied yet. */
    const parseMeta = (ch: TenantChannel, request: WebhookRequest): { ok: true; statuses: StatusEvent[]; inbound: InboundEvent[] } | { ok: false; message: string } => {
      const statuses = ch.adapter.webhooks!.parseStatusCallback(request);
      if (!statuses.ok) return statuses;
      const inbound = ch.adapter.webhooks!.parseInbound(request);
      if (!inbound.ok) return inbound;
      return { ok: true, statuses: statuses.events, inbound: inbound.events };
    };
    const applyMeta = async (tenantId: string, parsed: { statuses: StatusEvent[]; inbound: InboundEvent[] }): Promise<number> => {
      let applied = 0;
      for (const e of parsed.statuses) if ((await receipts.applyStatus(tenantId, e)).applied) applied++;
      for (const e of parsed.inbound) if ((await receipts.receive(tenantId, e)).stored) applied++;
      return applied;
    };

    app.get('/webhooks/meta', {
      schema: {
        tags: ['webhooks'], summary: 'Meta webhook subscription handshake for an app shared by several tenants (hub.verify_token must be one tenant\'s)', security: [],
        querystring: MetaQuery, response: { 200: z.string(), ...publicErrors },
      },
      handler: async (req, reply) => {
        const query = new URLSearchParams(req.query as Record<string, string>);
        for (const n of await registry.metaNumbers()) {
          const answer = n.verifyToken === undefined ? null : answerMetaSubscription(query, n.verifyToken);
          if (answer?.ok) return reply.status(200).type('text/plain').send(answer.challenge);
        }
        return deny(reply, 'CHANNEL.VERIFY_TOKEN_MISMATCH', 'hub.verify_token matches no tenant\'s WhatsApp Cloud configuration');
      },
    });
    app.post('/webhooks/meta', {
      schema: {
        tags: ['webhooks'], security: [], response: { 200: Ack, ...publicErrors },
        summary: 'Meta WhatsApp webhook for an app shared by several tenants: routed by entry[].changes[].value.metadata.phone_number_id, X-Hub-Signature-256 verified with each tenant\'s app secret; unknown numbers are acknowledged and ignored',
      },
      handler: async (req, reply) => {
        const request = webhookRequest(publicUrl, req);
        const split = splitMetaWebhook(rawOf(req));
        if (!split.ok) return malformed(reply, split.message);
        const numbers = await registry.metaNumbers();
        const targets: { tenantId: string; ch: TenantChannel; request: WebhookRequest }[] = [];
        const unknown: string[] = [];
        for (const part of split.parts) {
          const owners = numbers.filter((n) => n.phoneNumberId === part.phoneNumberId);
          if (owners.length === 0) unknown.push(part.phoneNumberId);
          for (const o of owners) {
            const ch = await registry.forProvider(o.tenantId, 'meta');
            if (ch?.adapter.webhooks) targets.push({ tenantId: o.tenantId, ch, request: { ...request, rawBody: JSON.stringify(part.body) } });
          }
        }
        // Meta retries what is not answered 2xx: a number no tenant has is acknowledged and ignored.
        if (unknown.length > 0) req.log.warn({ phoneNumberIds: unknown }, 'meta webhook: changes for phone number ids no tenant has configured were ignored');
        // The signature covers the whole body: every tenant concerned checks it with its own app
        // secret, and all parts parse, before anything is applied.
        const parsed = [];
        for (const t of targets) {
          const sig = t.ch.adapter.webhooks!.verifySignature(request);
          if (!sig.ok) return deny(reply, sig.code, sig.message);
          const p = parseMeta(t.ch, t.request);
          if (!p.ok) return malformed(reply, p.message);
          parsed.push({ tenantId: t.tenantId, ...p });
        }
        let received = 0;
        let applied = 0;
        for (const p of parsed) {
          received += p.statuses.length + p.inbound.length;
          applied += await applyMeta(p.tenantId, p);
        }
        return reply.status(200).send({ received, applied });
      },
    });

    app.get('/webhooks/meta/:tenantId', {
      schema: {
        tags: ['webhooks'], summary: 'Meta webhook subscription handshake (hub.verify_token)', security: [], params: TenantParam,
        querystring: MetaQuery,
        response: { 200: z.string(), ...publicErrors },
      },
      handler: async (req, reply) => {
        const ch = await registry.forProvider(req.params.tenantId, 'meta');
        if (!ch || ch.config.provider !== 'meta' || !ch.config.verifyToken) return missing(reply, 'meta');
        const answer = answerMetaSubscription(new URLSearchParams(req.query as Record<string, string>), ch.config.verifyToken);
        if (!answer.ok) return deny(reply, 'CHANNEL.VERIFY_TOKEN_MISMATCH', 'hub.verify_token does not match');
        return reply.status(200).type('text/plain').send(answer.challenge);
      },
    });
    app.post('/webhooks/meta/:tenantId', {
      schema: { tags: ['webhooks'], summary: 'Meta WhatsApp webhook: statuses and inbound messages (X-Hub-Signature-256 verified)', security: [], params: TenantParam, response: { 200: Ack, ...publicErrors } },
      handler: async (req, reply) => {
        const ch = await registry.forProvider(req.params.tenantId, 'meta');
        if (!ch?.adapter.webhooks) return missing(reply, 'meta');
        const request = webhookRequest(publicUrl, req);
        const sig = ch.adapter.webhooks.verifySignature(request);
        if (!sig.ok) return deny(reply, sig.code, sig.message);
        const parsed = parseMeta(ch, request);
        if (!parsed.ok) return malformed(reply, parsed.message);
        return reply.status(200).send({ received: parsed.statuses.length + parsed.inbound.length, applied: await applyMeta(req.params.tenantId, parsed) });
      },
    });

    app.post('/webhooks/email/:tenantId/bounces', {
      schema: {
        tags: ['webhooks'], summary: 'E-mail bounces as JSON (X-Tacto-Signature: sha256=HMAC of the body with the SMTP channel\'s bounceSecret)',
        security: [], params: TenantParam, response: { 200: Ack, ...publicErrors },
      },
      handler: async (req, reply) => {
        const ch = await registry.forProvider(req.params.tenantId, 'smtp');
        if (!ch?.bounceSecret) return missing(reply, 'smtp bounce webhook');
        const raw = rawOf(req);
        if (!verifyBounceSignature(ch.bounceSecret, raw, req.headers['x-tacto-signature'])) return deny(reply, 'CHANNEL.SIGNATURE_INVALID', 'X-Tacto-Signature does not match the body');
        let doc: unknown;
        try {
          doc = JSON.parse(raw);
        } catch {
          return reply.status(400).send({ error: { code: 'CHANNEL.WEBHOOK_MALFORMED', message: 'the body is not JSON' } });
        }
        const parsed = BounceNotification.safeParse(doc);
        if (!parsed.success) return reply.status(400).send({ error: { code: 'CHANNEL.WEBHOOK_MALFORMED', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
        const applied = await receipts.applyBounces(req.params.tenantId, parsed.data.bounces.map(({ occurredAt, ...b }) => ({ ...b, ...(occurredAt ? { occurredAt: new Date(occurredAt) } : {}) })));
        return reply.status(200).send({ received: parsed.data.bounces.length, applied });
      },
    });

    app.post('/webhooks/email/:tenantId/dsn', {
      bodyLimit: DSN_BODY_LIMIT,
      schema: {
        tags: ['webhooks'], security: [], params: TenantParam, response: { 200: Ack, ...publicErrors, 415: Forbidden },
        summary: 'A raw bounce e-mail (RFC 3464 multipart/report; report-type=delivery-status) as an inbound-mail relay posts it, Content-Type: message/rfc822 '
          + '(X-Tacto-Signature: sha256=HMAC of the bytes with the SMTP channel\'s bounceSecret); hard bounces as on /bounces',
      },
      handler: async (req, reply) => {
        const ch = await registry.forProvider(req.params.tenantId, 'smtp');
        if (!ch?.bounceSecret) return missing(reply, 'smtp bounce webhook');
        // Only the message/rfc822 parser keeps the bytes as received (what the signature covers).
        if (!Buffer.isBuffer(req.body)) return reply.status(415).send({ error: { code: 'CHANNEL.UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type: expected message/rfc822 (the raw bounce e-mail)' } });
        const raw = req.body;
        if (!verifyBounceSignature(ch.bounceSecret, raw, req.headers['x-tacto-signature'])) return deny(reply, 'CHANNEL.SIGNATURE_INVALID', 'X-Tacto-Signature does not match the body');
        const r = await messaging.ingestDsn(req.params.tenantId, raw);
        if (!r.ok) return reply.status(400).send({ error: { code: 'CHANNEL.DSN_INVALID', message: r.message } });
        return reply.status(200).send({ received: r.received, applied: r.applied });
      },
    });

    app.get('/l/:token', {
      schema: { tags: ['links'], summary: 'Tracked link: records the click and redirects (302) to the target', security: [], params: z.object({ token: z.string().min(8).max(64) }), response: { 302: z.null(), 404: Forbidden } },
      handler: async (req, reply) => {
        const url = await receipts.click(req.params.token);
        if (!url) return reply.status(404).send({ error: { code: 'LINK.NOT_FOUND', message: 'unknown link' } });
        return reply.redirect(url, 302);
      },
    });
    const unsubscribePage = (done: boolean) =>
      `<!doctype html><html lang="es"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Tacto</title><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">` +
      (done
        ? '<p>Listo: no te escribiremos más a este correo. / Done: we will not e-mail this address again. / Pronto: não enviaremos mais e-mails para este endereço.</p>'
        : '<form method="post"><p>¿Dejar de recibir correos? / Stop receiving e-mails? / Deixar de receber e-mails?</p><button type="submit">Confirmar / Confirm</button></form>') +
      '</body></html>';
    app.get('/u/:token', {
      schema: { tags: ['links'], summary: 'Unsubscribe page (e-mail opt-out link); the form posts to the same URL', security: [], params: z.object({ token: z.string().min(8).max(64) }), response: { 200: z.string() } },
      handler: async (_req, reply) => reply.type('text/html').send(unsubscribePage(false)),
    });
    app.post('/u/:token', {
      schema: { tags: ['links'], summary: 'One-click unsubscribe (RFC 8058 List-Unsubscribe=One-Click): opts the address out', security: [], params: z.object({ token: z.string().min(8).max(64) }), response: { 200: z.string(), 404: Forbidden } },
      handler: async (req, reply) => {
        if (!(await receipts.unsubscribe(req.params.token))) return reply.status(404).send({ error: { code: 'LINK.NOT_FOUND', message: 'unknown link' } });
        return reply.type('text/html').send(unsubscribePage(true));
      },
    });
  };

const SandboxMessageOut = z.object({
  id: z.string(), direction: z.enum(['outbound', 'inbound']), channel: z.string(), to: z.string(), from: z.string(), text: z.string(),
  subject: z.string().nullable(), template: z.string().nullable(), status: z.string(), errorCode: z.string().nullable(), createdAt: z.string(),
});
const Conversation = z.object({
  address: z.string(), channel: z.string(), messages: z.number().int(), lastAt: z.string(), lastText: z.string(), debtorId: z.string().nullable(), debtorName: z.string().nullable(),
});

export const messagingApiRoutes =
  (messaging: MessagingService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/channel-configs', {
      schema: { tags: ['messaging'], summary: 'Channel configurations of the tenant (secrets replaced)', response: { 200: z.object({ data: z.array(z.record(z.string(), z.unknown())) }), ...errorResponses } },
      handler: async (req) => ({ data: await messaging.registry.describe(req.tenantId) }),
    });
    app.put('/channel-configs', {
      schema: {
        tags: ['messaging'], summary: 'Sets one provider\'s configuration (stored encrypted) and the channels it carries',
        body: ChannelConfigInput, response: { 200: z.record(z.string(), z.unknown()), ...errorResponses },
      },
      handler: async (req) => messaging.registry.put(req.tenantId, req.body),
    });
    app.get('/sandbox/conversations', {
      schema: { tags: ['sandbox'], summary: 'Sandbox inbox: one conversation per debtor address, newest first', response: { 200: z.object({ data: z.array(Conversation) }), ...errorResponses } },
      handler: async (req) => ({ data: await messaging.sandbox.conversations(req.tenantId) }),
    });
    app.get('/sandbox/messages', {
      schema: {
        tags: ['sandbox'], summary: 'Messages of one sandbox conversation, oldest first', querystring: z.object({ address: z.string().min(3).max(320) }),
        response: { 200: z.object({ data: z.array(SandboxMessageOut) }), ...errorResponses },
      },
      handler: async (req) => ({ data: await messaging.sandbox.messages(req.tenantId, req.query.address) }),
    });
    app.post('/sandbox/replies', {
      schema: {
        tags: ['sandbox'], summary: 'Reply as the debtor: goes through the same inbound path as a provider webhook (opt-out words included)',
        body: z.object({ channel: z.enum(['sms', 'whatsapp', 'email']), from: z.string().min(3).max(320), text: z.string().min(1).max(4096) }),
        response: {
          201: z.object({ stored: z.boolean(), inboundId: z.string().optional(), debtorId: z.string().nullable(), keywordAction: z.enum(['opt_out', 'opt_in', 'help']).nullable(), optedOut: z.number(), cancelled: z.number(), helpReply: z.boolean() }),
          ...errorResponses,
        },
      },
      handler: async (req, reply) => reply.status(201).send(await messaging.sandbox.reply(req.tenantId, req.body)),
    });
    app.get('/debtors/:id/messages', {
      schema: {
        tags: ['messaging'], summary: 'Messages sent to a debtor with their status history', params: z.object({ id: z.string() }),
        response: {
          200: z.object({
            data: z.array(z.object({
              id: z.string(), channel: z.string(), provider: z.string(), purpose: z.string().nullable(), status: z.string(), externalId: z.string().nullable(),
              errorCode: z.string().nullable(), attempts: z.number(), createdAt: z.string(), sentAt: z.string().nullable(),
              history: z.array(z.object({ status: z.string(), at: z.string() })),
            })),
          }),
          ...errorResponses,
        },
      },
      handler: async (req) => ({ data: await messaging.messagesOf(req.tenantId, req.params.id) }),
    });
  };
