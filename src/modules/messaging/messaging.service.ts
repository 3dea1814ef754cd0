import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../../db/db.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, invalid, notFound } from '../../lib/errors.ts';
import type { IdFactory } from '../../lib/ids.ts';
import { createSecretBox, type SecretBox } from '../../lib/secretbox.ts';
import { createSandboxAdapter, type FetchLike, type MessageChannel, type SandboxMessage } from '../../channels/index.ts';
import type { PolicyService } from '../policy/index.ts';
import { createChannelRegistry } from './messaging.channels.ts';
import { createDispatcher, emptyStats, type DispatchOptions, type DispatchStats } from './messaging.dispatcher.ts';
import { loadTemplateLibrary, type TemplateLibrary } from './messaging.library.ts';
import { createReceipts } from './messaging.receipts.ts';
import { createTemplateRenderer } from './messaging.render.ts';
import * as repo from './messaging.repo.ts';
import { createDbSandboxStore, listConversations } from './messaging.sandbox.repo.ts';
import { bouncesOf, parseDsnEmail } from './messaging.dsn.ts';

export interface MessagingDeps {
  db: Database;
  clock: Clock;
  newId: IdFactory;
  policy: Pick<PolicyService, 'recordDecisions'>;
  /** Encrypts provider secrets; without one, an in-memory key (configs do not survive a restart). */
  secretBox?: SecretBox;
  /** This deployment's public base URL (webhook signatures, tracked links). */
  publicUrl?: string;
  fetch?: FetchLike;
  workerId?: string;
  /** Sandbox limits of template rendering (defaults in messaging.render.ts); tests lower them. */
  renderLimits?: { renderMs?: number };
}

export const createMessagingService = (deps: MessagingDeps) => {
  const secretBox = deps.secretBox ?? createSecretBox(randomBytes(32));
  const publicUrl = (deps.publicUrl ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const sandboxStore = createDbSandboxStore(deps.db);
  const registry = createChannelRegistry({ db: deps.db, clock: deps.clock, secretBox, sandboxStore, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const receipts = createReceipts(deps);
  let library: TemplateLibrary | null = null;
  let dispatcher: ReturnType<typeof createDispatcher> | null = null;
  const getDispatcher = () => {
    if (!dispatcher) {
      library ??= loadTemplateLibrary();
      dispatcher = createDispatcher({
        db: deps.db, clock: deps.clock, newId: deps.newId, secretBox, registry, library, policy: deps.policy, publicUrl,
        renderer: createTemplateRenderer({ layouts: library.layouts, clock: deps.clock, ...(deps.renderLimits ? { limits: deps.renderLimits } : {}) }),
        workerId: deps.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      });
    }
    return dispatcher;
  };

  const defaultLanes = (): number => (deps.db.kind === 'postgres' ? 2 : 1);

  return {
    publicUrl,
    registry,
    receipts,
    sandboxStore,
    dispatchOnce: (o?: DispatchOptions): Promise<DispatchStats> => getDispatcher().dispatchOnce(o),
    /**
     * Dispatches until nothing is due (or `maxPasses` in all); the CLI's `tacto dispatch --once`.
     * `lanes` passes run at once (default: 2 on a PostgreSQL server, 1 on PGlite), so the
     * database claims, loads and records for one while Node renders another. Lanes are claims like
     * any other dispatcher's (SKIP LOCKED, fenced, never a debtor another claim holds); each stops
     * when its own pass finds nothing to do.
     */
    async drain(o: DispatchOptions & { maxPasses?: number; lanes?: number } = {}): Promise<DispatchStats> {
      const total: DispatchStats = emptyStats();
      const lanes = Math.max(1, Math.floor(o.lanes ?? defaultLanes()));
      const maxPasses = o.maxPasses ?? Number.POSITIVE_INFINITY;
      let passes = 0;
      const lane = async (): Promise<void> => {
        while (passes < maxPasses) {
          passes++;
          const s = await getDispatcher().dispatchOnce(o);
          for (const k of Object.keys(total) as (keyof DispatchStats)[]) total[k] += s[k];
          if (s.claimed === 0 || s.claimed === s.deferred) return;
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
      return total;
    },
    /** Passes in flight at once by default: a server works on one while Node works on the other; PGlite shares Node's thread. */
    defaultLanes: (): number => defaultLanes(),
    purgeBodies: () => repo.purgeBodies(deps.db, deps.clock.now()),

    /**
     * A raw bounce e-mail (RFC 3464 DSN; the webhook and `tacto bounces ingest`): hard bounces
     * end the message as the JSON bounce webhook does; a message that is not a DSN is refused
     * naming what is missing.
     */
    async ingestDsn(tenantId: string, raw: Buffer | string): Promise<{ ok: true; messageId: string; received: number; applied: number } | { ok: false; field: string; message: string }> {
      const dsn = await parseDsnEmail(raw);
      if (!dsn.ok) return dsn;
      return { ok: true, messageId: dsn.messageId, received: dsn.recipients.length, applied: await receipts.applyBounces(tenantId, bouncesOf(dsn)) };
    },

    sandbox: {
      conversations: async (tenantId: string, limit = 100) =>
        (await listConversations(deps.db, tenantId, limit)).map((c) => ({
          address: c.address, channel: c.channel, messages: c.messages, lastAt: new Date(c.last_at).toISOString(), lastText: c.last_body,
          debtorId: c.debtor_id, debtorName: c.debtor_name,
        })),
      messages: async (tenantId: string, address: string, limit = 200) =>
        (await sandboxStore.list({ tenantId, address, limit })).map((m: SandboxMessage) => ({
          id: m.id, direction: m.direction, channel: m.channel, to: m.to, from: m.from, text: m.text, subject: m.subject ?? null,
          template: m.template ?? null, status: m.status, errorCode: m.error?.code ?? null, createdAt: m.createdAt.toISOString(),
        })),
      /** A tester's reply as the debtor: stored in the sandbox and handed to the same inbound path as a provider webhook. */
      async reply(tenantId: string, r: { channel: MessageChannel; from: string; text: string }) {
        const ch = await registry.forProvider(tenantId, 'sandbox');
        if (!ch || ch.config.provider !== 'sandbox') throw new AppError('SANDBOX.NOT_CONFIGURED', 'conflict', 'the sandbox channel is not configured for this tenant');
        if (!r.text.trim()) throw invalid('SANDBOX.EMPTY_REPLY', 'the reply is empty', [{ field: 'text', message: 'required' }]);
        const adapter = createSandboxAdapter(ch.config, { store: sandboxStore, clock: deps.clock });
        const inbound = await adapter.receive({ channel: r.channel, from: r.from, to: 'sandbox', text: r.text });
        return receipts.receive(tenantId, inbound);
      },
    },

    /** The debtor's messages, newest first, with their status history. */
    async messagesOf(tenantId: string, debtorId: string) {
      const rows = await repo.listMessagesOfDebtor(deps.db, tenantId, debtorId, 200);
      return rows.map((m) => ({
        id: m.id, channel: m.channel, provider: m.provider, purpose: m.purpose, status: m.status, externalId: m.external_id, errorCode: m.error_code,
        attempts: m.attempts, createdAt: new Date(m.created_at).toISOString(), sentAt: m.sent_at ? new Date(m.sent_at).toISOString() : null,
        history: m.history.map((h) => ({ status: h.status, at: new Date(h.provider_at ?? h.recorded_at).toISOString() })),
      }));
    },

    requireChannel: async (tenantId: string, provider: 'twilio' | 'meta' | 'smtp' | 'sandbox') => {
      const ch = await registry.forProvider(tenantId, provider);
      if (!ch) throw notFound('channel_config', provider);
      return ch;
    },
  };
};

export type MessagingService = ReturnType<typeof createMessagingService>;
