import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountDetail, ApiError, Transaction } from '../api.ts';
import { currencyExponent, minorToDecimal, parseAmountInput } from '../format.ts';
import { useApi } from '../session.tsx';
import { asApiError, useFormat } from '../hooks.ts';
import { ErrorBanner, useFieldErrors } from './ErrorBanner.tsx';
import { Field, Spinner } from './Ui.tsx';

export const PAYMENT_METHODS = ['bank_transfer', 'card', 'direct_debit', 'bizum', 'cash', 'other'] as const;

/** One idempotency key per attempt: a double click or a retry after a timeout records once. */
const newAttemptId = (): string => {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return `console-${c.randomUUID()}`;
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return `console-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
};

const todayLocal = (): string => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** Amount overdue today: the unpaid part of every instalment already due. */
export const overdueMinor = (a: Pick<AccountDetail, 'schedule' | 'dpdAsOf'>, today: string): number => {
  const asOf = a.dpdAsOf ?? today;
  return a.schedule.filter((i) => i.dueDate <= asOf).reduce((s, i) => s + Math.max(0, i.amountMinor - i.paidMinor), 0);
};

type FieldName = 'amount' | 'method' | 'occurredAt' | 'externalId' | 'note';

/**
 * Records a payment. The amount is typed in the console's language (`1.234,56` in Spanish) and
 * sent to the API as a decimal string; field errors come back from the API's details and are
 * shown under the field they name.
 */
export const PaymentForm = ({ account, onRecorded }: { account: AccountDetail; onRecorded: (tx: Transaction) => Promise<void> | void }) => {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const exponent = currencyExponent(account.currency);
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState<string>('bank_transfer');
  const [date, setDate] = useState('');
  const [externalId, setExternalId] = useState('');
  const [note, setNote] = useState('');
  const [attemptId, setAttemptId] = useState(newAttemptId);
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState<Partial<Record<FieldName, string>>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const apiFieldErrors = useFieldErrors();

  const total = account.balance.totalMinor;
  const overdue = Math.min(overdueMinor(account, todayLocal()), total);
  const fill = (minor: number) => {
    const decimal = minorToDecimal(minor, exponent);
    setAmount(f.locale.startsWith('en') ? decimal : decimal.replace('.', ','));
    setLocal((l) => ({ ...l, amount: undefined }));
  };

  const fieldErrors = (name: FieldName): string[] | undefined => {
    const out: string[] = [];
    if (local[name]) out.push(local[name]);
    out.push(...(name === 'amount' ? apiFieldErrors(error, 'amount', 'amountMinor', 'currency') : apiFieldErrors(error, name)));
    return out.length ? out : undefined;
  };
  const fieldHandled = (e: ApiError) => e.details.length > 0 && e.details.every((d) => d.field && /^(body\.)?(amount|amountMinor|currency|method|occurredAt|externalId|note)$/.test(d.field));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const parsed = parseAmountInput(amount, f.locale, exponent);
    const problems: Partial<Record<FieldName, string>> = {};
    if (!parsed.ok) problems.amount = t(`payment.err.${parsed.reason}`, { decimals: exponent });
    if (date && date > todayLocal()) problems.occurredAt = t('payment.err.future');
    setLocal(problems);
    if (!parsed.ok || Object.keys(problems).length) return;
    setBusy(true);
    try {
      const tx = await api.recordPayment(account.id, {
        amount: parsed.decimal,
        method,
        externalId: externalId.trim() || attemptId,
        ...(note.trim() ? { note: note.trim() } : {}),
        // A back-dated payment is stamped at local noon so no time zone moves it to another day.
        ...(date ? { occurredAt: new Date(`${date}T12:00:00`).toISOString() } : {}),
      });
      setAmount('');
      setExternalId('');
      setNote('');
      setDate('');
      setAttemptId(newAttemptId());
      await onRecorded(tx);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="payment-form" aria-label={t('payment.title')}>
      {error && !fieldHandled(error) && <ErrorBanner error={error} />}
      <Field label={t('payment.amount')} errors={fieldErrors('amount')} hint={t('payment.amountHint', { example: f.locale.startsWith('en') ? '1,234.56' : '1.234,56' })}>
        {(p) => (
          <div className="input-affix">
            <input {...p} name="amount" className="input num" inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} />
            <span className="affix">{account.currency}</span>
          </div>
        )}
      </Field>
      {(overdue > 0 || total > 0) && (
        <div className="chips" aria-label={t('payment.quickFill')}>
          {overdue > 0 && overdue !== total && (
            <button type="button" className="chip" onClick={() => fill(overdue)}>
              {t('payment.fillOverdue', { amount: f.money(overdue, account.currency) })}
            </button>
          )}
          {total > 0 && (
            <button type="button" className="chip" onClick={() => fill(total)}>
              {t('payment.fillTotal', { amount: f.money(total, account.currency) })}
            </button>
          )}
        </div>
      )}
      <div className="form-row">
        <Field label={t('payment.method')} errors={fieldErrors('method')}>
          {(p) => (
            <select {...p} name="method" className="select" value={method} onChange={(e) => setMethod(e.target.value)}>
              {PAYMENT_METHODS.map((m) => (
                <option key={m} value={m}>{t(`paymentMethod.${m}`)}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('payment.date')} errors={fieldErrors('occurredAt')} hint={t('payment.dateHint')}>
          {(p) => <input {...p} name="occurredAt" type="date" className="input" max={todayLocal()} value={date} onChange={(e) => setDate(e.target.value)} />}
        </Field>
      </div>
      <Field label={t('payment.externalId')} errors={fieldErrors('externalId')} hint={t('payment.externalIdHint')}>
        {(p) => <input {...p} name="externalId" className="input mono" maxLength={200} autoComplete="off" value={externalId} onChange={(e) => setExternalId(e.target.value)} />}
      </Field>
      <Field label={t('payment.note')} errors={fieldErrors('note')}>
        {(p) => <textarea {...p} name="note" className="input" rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />}
      </Field>
      <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
        {busy && <Spinner />}
        {t('payment.submit')}
      </button>
    </form>
  );
};
