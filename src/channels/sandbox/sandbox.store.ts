import type { DeliveryStatus, MessageChannel, SendFailure } from '../channel.types.ts';

/**
 * Where the sandbox channel keeps what it "sends" and what a tester replies. The platform backs
 * it with a table (one row per message, unique on tenant + idempotency key) and shows it as the
 * web inbox; `createMemorySandboxStore` serves tests and the CLI demo until then.
 */
export interface SandboxMessage {
  /** `sbx_…`; deterministic for outbound messages (derived from tenant and idempotency key). */
  id: string;
  tenantId: string;
  direction: 'outbound' | 'inbound';
  channel: MessageChannel;
  /** Outbound only: the dispatcher's key. */
  idempotencyKey?: string;
  /** The debtor's address for outbound, ours for inbound. */
  to: string;
  /** Ours for outbound (the sender label), the debtor's for inbound. */
  from: string;
  subject?: string;
  text: string;
  html?: string;
  /** WhatsApp template name, when one was used. */
  template?: string;
  status: DeliveryStatus;
  error?: Pick<SendFailure, 'code' | 'kind' | 'scope' | 'providerCode' | 'message'>;
  createdAt: Date;
}

export interface SandboxListQuery {
  tenantId: string;
  /** Messages to or from this address (the debtor's conversation). */
  address?: string;
  direction?: 'outbound' | 'inbound';
  /** Strictly after this instant, for polling an inbox. */
  since?: Date;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface SandboxStore {
  /**
   * Stores the message unless the tenant already has one with the same idempotency key, in which
   * case the stored one is returned unchanged: the sandbox is the one provider with a native
   * idempotency key, which is what lets it count "sent exactly once" in the reliability run.
   */
  save(message: SandboxMessage): Promise<SandboxMessage>;
  /** Oldest first. */
  list(query: SandboxListQuery): Promise<SandboxMessage[]>;
}

/** In-memory store for tests and demos: one process, no persistence. */
export const createMemorySandboxStore = (): SandboxStore & { size(): number } => {
  const byKey = new Map<string, SandboxMessage>();
  const all: SandboxMessage[] = [];
  return {
    save: async (message) => {
      const key = message.idempotencyKey === undefined ? undefined : `${message.tenantId}\u0000${message.idempotencyKey}`;
      if (key !== undefined) {
        const existing = byKey.get(key);
        if (existing) return structuredClone(existing);
        byKey.set(key, message);
      }
      all.push(message);
      return structuredClone(message);
    },
    list: async (query) => {
      const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
      const out: SandboxMessage[] = [];
      for (const m of all) {
        if (m.tenantId !== query.tenantId) continue;
        if (query.direction && m.direction !== query.direction) continue;
        if (query.address && m.to !== query.address && m.from !== query.address) continue;
        if (query.since && m.createdAt.getTime() <= query.since.getTime()) continue;
        out.push(structuredClone(m));
        if (out.length === limit) break;
      }
      return out;
    },
    size: () => all.length,
  };
};
