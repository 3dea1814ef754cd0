import { z } from 'zod';

/**
 * Per-tenant provider configuration. The platform stores it (secrets encrypted at rest) and
 * passes it in; adapters never read the environment. Secrets never appear in logs:
 * `describeChannelConfig` is the only shape of a config that may be printed.
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** HTTPS, or plain HTTP to loopback only (the local fakes in tests): credentials never travel in clear. */
const SecureUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}, { message: 'must be https (plain http is accepted for 127.0.0.1/localhost only)' });

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number like +34600111222');

export const SmtpConfig = z.object({
  provider: z.literal('smtp'),
  host: z.string().min(1),
  port: z.int().min(1).max(65535),
  /**
   * `implicit`: TLS from the first byte (port 465). `starttls`: upgrade required, refusing to
   * send in clear if the server does not offer it. `none`: loopback relays only.
   */
  security: z.enum(['implicit', 'starttls', 'none']).default('starttls'),
  auth: z.object({ user: z.string().min(1), pass: z.string().min(1) }).optional(),
  from: z.object({ name: z.string().min(1), address: z.email() }),
  replyTo: z.email().optional(),
  /** Right-hand side of Message-IDs; defaults to the From domain (RFC 5322 3.6.4 uniqueness). */
  messageIdDomain: z.string().regex(/^[A-Za-z0-9.-]+$/).optional(),
  timeoutMs: z.int().min(100).max(120_000).default(15_000),
}).refine((c) => c.security !== 'none' || LOOPBACK.has(c.host), {
  message: 'security "none" is allowed only for a loopback relay', path: ['security'],
});
export type SmtpConfig = z.infer<typeof SmtpConfig>;

export const TwilioConfig = z.object({
  provider: z.literal('twilio'),
  accountSid: z.string().regex(/^AC[0-9a-f]{32}$/, 'expected an Account SID (AC + 32 hex)'),
  /** Signs webhooks (always the account's primary token) and authenticates unless `apiKey` is set. */
  authToken: z.string().min(16),
  /** Twilio recommends API keys for REST auth; webhook signatures still use the auth token. */
  apiKey: z.object({ sid: z.string().regex(/^SK[0-9a-f]{32}$/), secret: z.string().min(16) }).optional(),
  /** SMS sender: a Messaging Service (preferred: sender pools, opt-out management) or a number. */
  messagingServiceSid: z.string().regex(/^MG[0-9a-f]{32}$/).optional(),
  smsFrom: E164.optional(),
  /** WhatsApp sender registered with Twilio, E.164 without the `whatsapp:` prefix. */
  whatsappFrom: E164.optional(),
  /** Our status-callback endpoint; the adapter appends `ik=<idempotency key>` to its query. */
  statusCallbackUrl: SecureUrl,
  baseUrl: SecureUrl.default('https://api.twilio.com'),
  timeoutMs: z.int().min(100).max(120_000).default(10_000),
});
export type TwilioConfig = z.infer<typeof TwilioConfig>;

export const MetaConfig = z.object({
  provider: z.literal('meta'),
  /** The WhatsApp Business phone-number id (not the number itself). */
  phoneNumberId: z.string().regex(/^\d{5,20}$/),
  /** System-user access token with `whatsapp_business_messaging`. */
  accessToken: z.string().min(16),
  /** App secret: Meta signs webhooks with it (X-Hub-Signature-256). */
  appSecret: z.string().min(16),
  /** Token we chose for the GET subscription handshake (hub.verify_token). */
  verifyToken: z.string().min(8).optional(),
  apiVersion: z.string().regex(/^v\d+\.\d+$/).default('v23.0'),
  baseUrl: SecureUrl.default('https://graph.facebook.com'),
  timeoutMs: z.int().min(100).max(120_000).default(10_000),
});
export type MetaConfig = z.infer<typeof MetaConfig>;

export const SandboxConfig = z.object({
  provider: z.literal('sandbox'),
  tenantId: z.string().min(1),
});
export type SandboxConfig = z.infer<typeof SandboxConfig>;

export const ChannelConfig = z.discriminatedUnion('provider', [SmtpConfig, TwilioConfig, MetaConfig, SandboxConfig]);
export type ChannelConfig = z.infer<typeof ChannelConfig>;

const SECRET_KEYS = new Set(['authToken', 'secret', 'pass', 'accessToken', 'appSecret', 'verifyToken']);

/** The config with every secret replaced, for logs, errors and the settings page. */
export const describeChannelConfig = (config: ChannelConfig): Record<string, unknown> => {
  const scrub = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(scrub);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[secret]' : scrub(v)]));
  };
  return scrub(config) as Record<string, unknown>;
};
