import { z } from 'zod';
import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { invalid } from '../../lib/errors.ts';
import type { SecretBox } from '../../lib/secretbox.ts';
import {
  ChannelConfig, createChannelAdapter, describeChannelConfig, type ChannelAdapter, type FetchLike, type MessageChannel, type ProviderName,
  type SandboxStore,
} from '../../channels/index.ts';
import * as repo from './messaging.repo.ts';

/**
 * Per-tenant provider configuration: stored encrypted (AES-256-GCM, lib/secretbox.ts), opened
 * only to build an adapter, shown only through `describeChannelConfig`. Each channel (sms,
 * whatsapp, email) is carried by one provider per tenant.
 */
export const ChannelSettings = z.object({
  channels: z.array(z.enum(['sms', 'whatsapp', 'email'])).min(1),
  /** Token bucket of this tenant on this provider. */
  ratePerSecond: z.number().positive().max(1_000_000).default(20),
  burst: z.int().min(1).max(1_000_000).default(40),
  /**
   * After a crash or an uncertain failure, how long to wait before looking a message up at the
   * provider (Twilio) or giving up on its webhook (Meta). SMS are sent with this as their
   * ValidityPeriod, so after it Twilio has either sent the message or dropped it.
   */
  reconcileAfterSeconds: z.int().min(1).max(36_000).default(600),
  /** Attempts before a transient failure becomes a dead letter. */
  maxAttempts: z.int().min(1).max(20).default(6),
  /** Shared secret of the e-mail bounce webhook (HMAC-SHA256 of the body); SMTP only. */
  bounceSecret: z.string().min(16).optional(),
});
export type ChannelSettings = z.infer<typeof ChannelSettings>;

export const ChannelConfigInput = z.object({ config: ChannelConfig, settings: ChannelSettings });
export type ChannelConfigInput = z.input<typeof ChannelConfigInput>;

export interface TenantChannel {
  provider: ProviderName;
  channels: MessageChannel[];
  adapter: ChannelAdapter;
  config: ChannelConfig;
  bounceSecret: string | undefined;
  ratePerSecond: number;
  burst: number;
  reconcileAfterSeconds: number;
  maxAttempts: number;
  pausedUntil: Date | null;
}

export interface ChannelRegistryDeps {
  db: Database;
  clock: Clock;
  secretBox: SecretBox;
  sandboxStore: SandboxStore;
  fetch?: FetchLike;
  /** How long opened configurations are cached (default 5 s; a config change takes effect after it). */
  cacheMs?: number;
}

/** A tenant's WhatsApp Cloud number as the shared Meta webhook routes by it. */
export interface MetaNumber {
  tenantId: string;
  phoneNumberId: string;
  verifyToken: string | undefined;
}

export const createChannelRegistry = (deps: ChannelRegistryDeps) => {
  const cache = new Map<string, { at: number; channels: TenantChannel[] }>();
  const cacheMs = deps.cacheMs ?? 5000;
  let metaNumbers: { at: number; numbers: MetaNumber[] } | null = null;

  const openConfig = (configEnc: string): { config: ChannelConfig; bounceSecret: string | undefined } => {
    const sealed = JSON.parse(deps.secretBox.open(configEnc)) as { config: unknown; bounceSecret?: string };
    return { config: ChannelConfig.parse(sealed.config), bounceSecret: sealed.bounceSecret };
  };

  const load = async (tenantId: string): Promise<TenantChannel[]> => {
    const hit = cache.get(tenantId);
    const now = deps.clock.now().getTime();
    if (hit && now - hit.at < cacheMs) return hit.channels;
    const rows = await repo.listChannelConfigs(deps.db, tenantId);
    const out: TenantChannel[] = [];
    for (const r of rows) {
      const { config, bounceSecret } = openConfig(r.config_enc);
      const adapter = createChannelAdapter(config, { clock: deps.clock, sandboxStore: deps.sandboxStore, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
      out.push({
        provider: r.provider, channels: r.channels as MessageChannel[], adapter, config, bounceSecret,
        ratePerSecond: r.rate_per_second, burst: r.burst, reconcileAfterSeconds: r.reconcile_after_seconds, maxAttempts: r.max_attempts,
        pausedUntil: r.paused_until ? new Date(r.paused_until) : null,
      });
    }
    for (const old of hit?.channels ?? []) await old.adapter.close?.();
    cache.set(tenantId, { at: now, channels: out });
    return out;
  };

  return {
    /** The tenant's configured channels, adapters built (cached briefly). */
    load,
    async forChannel(tenantId: string, channel: MessageChannel): Promise<TenantChannel | undefined> {
      return (await load(tenantId)).find((c) => c.channels.includes(channel));
    },
    async forProvider(tenantId: string, provider: ProviderName): Promise<TenantChannel | undefined> {
      return (await load(tenantId)).find((c) => c.provider === provider);
    },
    /**
     * Every tenant's WhatsApp Cloud number (configurations are sealed, so they are opened here,
     * and the list cached like the tenants' channels): routes the shared Meta webhook.
     */
    async metaNumbers(): Promise<MetaNumber[]> {
      const now = deps.clock.now().getTime();
      if (metaNumbers && now - metaNumbers.at < cacheMs) return metaNumbers.numbers;
      const numbers: MetaNumber[] = [];
      for (const r of await repo.listChannelConfigsOfProvider(deps.db, 'meta')) {
        // One configuration that cannot be opened (sealed under another key) must not stop the
        // others' webhooks: that tenant's own route reports it.
        let config: ChannelConfig;
        try {
          config = openConfig(r.config_enc).config;
        } catch {
          continue;
        }
        if (config.provider === 'meta') numbers.push({ tenantId: r.tenant_id, phoneNumberId: config.phoneNumberId, verifyToken: config.verifyToken });
      }
      metaNumbers = { at: now, numbers };
      return numbers;
    },
    /** Validates, encrypts and stores one provider's configuration; returns its printable form. */
    async put(tenantId: string, input: unknown): Promise<Record<string, unknown>> {
      const parsed = ChannelConfigInput.safeParse(input);
      if (!parsed.success) {
        throw invalid('CHANNEL_CONFIG.INVALID', 'invalid channel configuration', parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
      }
      const { config, settings } = parsed.data;
      if (config.provider === 'sandbox' && config.tenantId !== tenantId) {
        throw invalid('CHANNEL_CONFIG.INVALID', 'the sandbox configuration must name this tenant', [{ field: 'config.tenantId', message: 'must be the tenant id' }]);
      }
      const adapterChannels = createChannelAdapter(config, { sandboxStore: deps.sandboxStore }).channels;
      const unsupported = settings.channels.filter((c) => !adapterChannels.includes(c));
      if (unsupported.length > 0) {
        throw invalid('CHANNEL_CONFIG.INVALID', `${config.provider} does not carry ${unsupported.join(', ')}`, [{ field: 'settings.channels', message: `supported: ${adapterChannels.join(', ')}` }]);
      }
      const summary = { ...describeChannelConfig(config), ...(settings.bounceSecret ? { bounceSecret: '[secret]' } : {}) };
      await deps.db.transaction(async (tx) => {
        await repo.upsertChannelConfig(tx, {
          tenant_id: tenantId, provider: config.provider, channels: settings.channels,
          config_enc: deps.secretBox.seal(JSON.stringify({ config, ...(settings.bounceSecret ? { bounceSecret: settings.bounceSecret } : {}) })),
          summary, rate_per_second: settings.ratePerSecond, burst: settings.burst, reconcile_after_seconds: settings.reconcileAfterSeconds, max_attempts: settings.maxAttempts,
        }, deps.clock.now());
      });
      cache.delete(tenantId);
      metaNumbers = null;
      return summary;
    },
    /** Printable configurations (secrets replaced). */
    async describe(tenantId: string) {
      return (await repo.listChannelConfigs(deps.db, tenantId)).map((r) => ({
        provider: r.provider, channels: r.channels, config: r.summary, ratePerSecond: r.rate_per_second, burst: r.burst,
        reconcileAfterSeconds: r.reconcile_after_seconds, maxAttempts: r.max_attempts,
        pausedUntil: r.paused_until ? new Date(r.paused_until).toISOString() : null, pausedReason: r.paused_reason,
      }));
    },
    invalidate(tenantId?: string) {
      metaNumbers = null;
      if (tenantId) cache.delete(tenantId);
      else cache.clear();
    },
    async close() {
      for (const { channels } of cache.values()) for (const c of channels) await c.adapter.close?.();
      cache.clear();
    },
  };
};

export type ChannelRegistry = ReturnType<typeof createChannelRegistry>;
