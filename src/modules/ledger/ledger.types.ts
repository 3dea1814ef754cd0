import { z } from 'zod';

const Component = z.enum(['principal', 'interest', 'fees']);
const minorOrDecimal = {
  /** Integer minor units (cents). Give this or `amount`. */
  amountMinor: z.number().int().optional(),
  /** Decimal string with `.` as separator (`"120.50"`). Give this or `amountMinor`. */
  amount: z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string such as "120.50"').optional(),
};

export const TransactionCreate = z
  .object({
    kind: z.enum(['payment', 'charge', 'adjustment', 'reversal']),
    ...minorOrDecimal,
    currency: z.string().length(3).optional(),
    component: Component.optional(),
    reversesId: z.string().optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    /** The sender's id: a retry with the same id returns the first result instead of recording twice. */
    externalId: z.string().min(1).max(200).optional(),
    method: z.string().max(40).optional(),
    note: z.string().max(500).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.kind !== 'reversal' && (t.amount === undefined) === (t.amountMinor === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: 'give exactly one of amountMinor or amount' });
    }
    if ((t.kind === 'charge' || t.kind === 'adjustment') && !t.component) {
      ctx.addIssue({ code: 'custom', path: ['component'], message: `a ${t.kind} names the component it changes` });
    }
    if (t.kind === 'reversal' && !t.reversesId) ctx.addIssue({ code: 'custom', path: ['reversesId'], message: 'a reversal names the transaction it reverses' });
  });

export const PaymentCreate = z
  .object({
    ...minorOrDecimal,
    currency: z.string().length(3).optional(),
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    externalId: z.string().min(1).max(200).optional(),
    method: z.string().max(40).optional(),
    note: z.string().max(500).optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.amount === undefined) === (t.amountMinor === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: 'give exactly one of amountMinor or amount' });
    }
  });

export const Transaction = z.object({
  id: z.string(),
  accountId: z.string(),
  kind: z.enum(['payment', 'charge', 'adjustment', 'reversal']),
  component: Component.nullable(),
  amountMinor: z.number().int(),
  amount: z.string(),
  currency: z.string(),
  occurredAt: z.string(),
  externalId: z.string().nullable(),
  reversesId: z.string().nullable(),
  allocation: z.record(z.string(), z.number()),
  method: z.string().nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
});

export const TransactionListQuery = z.object({
  accountId: z.string().optional(),
  kind: z.enum(['payment', 'charge', 'adjustment', 'reversal']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export type TransactionCreate = z.infer<typeof TransactionCreate>;
export type PaymentCreate = z.infer<typeof PaymentCreate>;
export type Transaction = z.infer<typeof Transaction>;
export type TransactionListQuery = z.infer<typeof TransactionListQuery>;
