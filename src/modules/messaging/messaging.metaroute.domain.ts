/**
 * Routing one Meta app's webhook by phone number. An app usually serves the WhatsApp numbers of
 * many tenants, and Meta posts every number's statuses and messages to the one callback URL it
 * has, with the number in `entry[].changes[].value.metadata.phone_number_id`. A delivery may mix
 * numbers (Meta batches), so the body is split into one body per number, each in the shape the
 * adapter's parsers read (`{ object, entry: [{ id, changes }] }`), keeping entry and change order.
 */

export interface MetaWebhookPart {
  phoneNumberId: string;
  /** The body holding only this number's changes. */
  body: { object: string; entry: Record<string, unknown>[] };
}

export type MetaWebhookSplit =
  | {
      ok: true;
      /** One part per phone number, in order of first appearance. */
      parts: MetaWebhookPart[];
      /** Changes without `value.metadata.phone_number_id` (nothing to route them by). */
      unrouted: number;
    }
  | { ok: false; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const phoneNumberIdOf = (change: unknown): string | null => {
  if (!isRecord(change) || !isRecord(change.value) || !isRecord(change.value.metadata)) return null;
  const id = change.value.metadata.phone_number_id;
  return typeof id === 'string' && id.length > 0 ? id : typeof id === 'number' ? String(id) : null;
};

/** Splits a raw Meta webhook body by phone number; the error names what is missing. */
export const splitMetaWebhook = (raw: string): MetaWebhookSplit => {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'the body is not JSON' };
  }
  if (!isRecord(doc) || doc.object !== 'whatsapp_business_account') return { ok: false, message: 'object: expected "whatsapp_business_account"' };
  if (!Array.isArray(doc.entry)) return { ok: false, message: 'entry: expected an array' };
  const byNumber = new Map<string, Record<string, unknown>[]>();
  let unrouted = 0;
  for (const [i, entry] of (doc.entry as unknown[]).entries()) {
    if (!isRecord(entry) || !Array.isArray(entry.changes)) return { ok: false, message: `entry[${i}].changes: expected an array` };
    const { changes, ...rest } = entry;
    const perNumber = new Map<string, unknown[]>();
    for (const change of changes as unknown[]) {
      const id = phoneNumberIdOf(change);
      if (id === null) {
        unrouted++;
        continue;
      }
      (perNumber.get(id) ?? perNumber.set(id, []).get(id)!).push(change);
    }
    for (const [id, list] of perNumber) (byNumber.get(id) ?? byNumber.set(id, []).get(id)!).push({ ...rest, changes: list });
  }
  return {
    ok: true,
    parts: [...byNumber].map(([phoneNumberId, entry]) => ({ phoneNumberId, body: { object: 'whatsapp_business_account', entry } })),
    unrouted,
  };
};
