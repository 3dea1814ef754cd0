import type { Database } from '../../src/db/db.ts';
import { fixedClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { createPortfolioService } from '../../src/modules/portfolio/index.ts';
import { givenTenant } from './fixtures.ts';

let n = 0;

/**
 * A tenant ready to send: contact details in its settings, a creditor allowed `channels`, and
 * helpers to create a debtor with an account and to schedule a contact the way the daily run
 * does (a scheduled_contacts row written directly).
 */
export const givenMessagingTenant = async (db: Database, opts: { channels?: string[]; firstParty?: boolean; country?: string } = {}) => {
  const t = await givenTenant(db, { country: opts.country ?? 'ES' });
  await db.query(`UPDATE tenants SET settings = $2::jsonb WHERE id = $1`, [
    t.tenantId, JSON.stringify({ messaging: { contact: { phone: '910 000 000', email: 'ayuda@financierasol.es', hours: 'lun. a vie., 9:00 a 18:00' }, portalUrl: 'https://pagos.example.com/p' } }),
  ]);
  await db.query(`UPDATE creditors SET allowed_channels = $2, first_party = $3, tax_id = 'A12345678' WHERE id = $1`, [t.creditorId, opts.channels ?? ['sms', 'email', 'whatsapp'], opts.firstParty ?? true]);
  const portfolio = createPortfolioService({ db, clock: fixedClock('2026-03-01T10:00:00Z'), newId });

  const debtor = async (o: { phone?: string; email?: string; whatsapp?: string; whatsappConsent?: boolean; language?: 'es' | 'en' | 'pt'; country?: string; timezone?: string } = {}) => {
    const i = n++;
    const contactPoints = [
      ...(o.phone ? [{ kind: 'phone' as const, value: o.phone }] : []),
      ...(o.email ? [{ kind: 'email' as const, value: o.email }] : []),
      ...(o.whatsapp ? [{ kind: 'whatsapp' as const, value: o.whatsapp, ...(o.whatsappConsent ? { consent: 'granted' as const } : {}) }] : []),
    ];
    const d = await portfolio.createDebtor(t.tenantId, {
      kind: 'person', creditorRef: t.creditorRef, externalRef: `D-${process.pid}-${i}`, country: o.country ?? 'ES', givenName: 'Lucía', familyName: 'Pérez',
      language: o.language ?? 'es', ...(o.timezone ? { timezone: o.timezone } : {}), contactPoints,
    });
    const a = await portfolio.createAccount(t.tenantId, {
      creditorRef: t.creditorRef, debtorId: d.id, externalRef: `A-${process.pid}-${i}`, product: 'loan', currency: 'EUR',
      originalPrincipalMinor: 120000, principalMinor: 18540, interestMinor: 0, feesMinor: 0,
      schedule: [{ dueDate: '2026-03-05', amountMinor: 18540, paidMinor: 0 }],
    });
    // Consent given before the test's fixed clock (the row's default is the server's now()).
    await db.query(`UPDATE contact_points SET consent_at = '2026-03-01T10:00:00Z' WHERE tenant_id = $1 AND debtor_id = $2 AND consent = 'granted'`, [t.tenantId, d.id]);
    return { debtorId: d.id, accountId: a.id, contactPoints: d.contactPoints };
  };

  const schedule = async (o: { debtorId: string; accountId: string; contactPointId: string; destination: string; channel: string; sendAt: string; windowEnd?: string | null; purpose?: string; key?: string; language?: string; kind?: string }) => {
    const id = newId('sct');
    await db.query(
      `INSERT INTO scheduled_contacts (tenant_id, id, account_id, debtor_id, kind, channel, purpose, template_ref, language, contact_point_id, destination, send_at, window_end, idempotency_key)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$7,$8,$9,$10,$11,$12,$13)`,
      [t.tenantId, id, o.accountId, o.debtorId, o.kind ?? 'message', o.channel, o.purpose ?? 'missed_payment_1', o.language ?? 'es', o.contactPointId, o.destination, o.sendAt,
        o.windowEnd === undefined ? null : o.windowEnd, o.key ?? `test:${id}`],
    );
    return id;
  };

  const contact = async (id: string) =>
    (await db.query<{ status: string; status_reason: string | null; claimed_by: string | null; claim_expires_at: Date | null; sent_at: Date | null }>(
      `SELECT status, status_reason, claimed_by, claim_expires_at, sent_at FROM scheduled_contacts WHERE tenant_id = $1 AND id = $2`, [t.tenantId, id])).rows[0]!;

  return { ...t, debtor, schedule, contact };
};
