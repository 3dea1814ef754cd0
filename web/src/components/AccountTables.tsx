import { useTranslation } from 'react-i18next';
import type { AccountDetail, Transaction } from '../api.ts';
import { daysBetween } from '../format.ts';
import { useFormat } from '../hooks.ts';
import { useLabels } from '../labels.ts';
import { Badge } from './Badges.tsx';
import { Empty } from './Ui.tsx';

type InstalmentState = 'paid' | 'partial' | 'overdue' | 'upcoming';

export const instalmentState = (i: { dueDate: string; amountMinor: number; paidMinor: number }, asOf: string): InstalmentState => {
  if (i.paidMinor >= i.amountMinor) return 'paid';
  if (i.dueDate < asOf) return 'overdue';
  return i.paidMinor > 0 ? 'partial' : 'upcoming';
};

const STATE_TONE = { paid: 'success', partial: 'warning', overdue: 'danger', upcoming: 'neutral' } as const;

/** The instalment schedule with what each instalment still owes and whether it is late. */
export const ScheduleTable = ({ account }: { account: AccountDetail }) => {
  const { t } = useTranslation();
  const f = useFormat();
  const asOf = account.dpdAsOf ?? new Date().toISOString().slice(0, 10);
  if (account.schedule.length === 0) return <Empty title={t('schedule.none')} />;
  const paidCount = account.schedule.filter((i) => i.paidMinor >= i.amountMinor).length;
  return (
    <>
      <p className="card-sub">{t('schedule.progress', { paid: paidCount, total: account.schedule.length })}</p>
      <div className="table-wrap table-scroll">
        <table className="table table-compact" data-testid="schedule-table">
          <thead>
            <tr>
              <th scope="col" className="num">#</th>
              <th scope="col">{t('schedule.dueDate')}</th>
              <th scope="col" className="num">{t('schedule.amount')}</th>
              <th scope="col" className="num">{t('schedule.paid')}</th>
              <th scope="col" className="num">{t('schedule.remaining')}</th>
              <th scope="col">{t('schedule.state')}</th>
            </tr>
          </thead>
          <tbody>
            {account.schedule.map((i) => {
              const state = instalmentState(i, asOf);
              const late = state === 'overdue' ? daysBetween(i.dueDate, asOf) : 0;
              return (
                <tr key={i.seq} data-state={state}>
                  <td className="num muted">{i.seq}</td>
                  <td className="nowrap">{f.date(i.dueDate)}</td>
                  <td className="num">{f.money(i.amountMinor, account.currency)}</td>
                  <td className="num">{i.paidMinor ? f.money(i.paidMinor, account.currency) : <span className="muted">—</span>}</td>
                  <td className="num">{f.money(Math.max(0, i.amountMinor - i.paidMinor), account.currency)}</td>
                  <td className="nowrap">
                    <Badge tone={STATE_TONE[state]}>{t(`schedule.state_${state}`)}</Badge>
                    {state === 'overdue' && <span className="muted small"> {t('schedule.daysLate', { count: late })}</span>}
                    {state === 'overdue' && i.paidMinor > 0 && <span className="muted small"> · {t('schedule.partlyPaid')}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
};

const ALLOCATION_ORDER = ['fees', 'interest', 'principal', 'credit'] as const;

/** The ledger of the account: what came in or was charged, and where each payment went. */
export const TransactionsTable = ({ transactions, currency }: { transactions: readonly Transaction[]; currency: string }) => {
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();
  if (transactions.length === 0) return <Empty icon="accounts" title={t('transactions.none')} />;
  const reversed = new Set(transactions.filter((x) => x.reversesId).map((x) => x.reversesId));
  return (
    <div className="table-wrap">
      <table className="table table-compact" data-testid="transactions-table">
        <thead>
          <tr>
            <th scope="col">{t('transactions.date')}</th>
            <th scope="col">{t('transactions.kind')}</th>
            <th scope="col" className="num">{t('transactions.amount')}</th>
            <th scope="col">{t('transactions.allocation')}</th>
            <th scope="col">{t('transactions.method')}</th>
            <th scope="col">{t('transactions.reference')}</th>
          </tr>
        </thead>
        <tbody>
          {transactions.map((x) => (
            <tr key={x.id} className={reversed.has(x.id) ? 'is-struck' : undefined}>
              <td className="nowrap">{f.dateTime(x.occurredAt)}</td>
              <td>
                <span className="nowrap">
                  {labels.txKind(x.kind)}
                  {x.component && <span className="muted small"> · {labels.component(x.component)}</span>}
                </span>
                {reversed.has(x.id) && <> <Badge tone="warning">{t('transactions.reversed')}</Badge></>}
              </td>
              <td className="num strong">{f.money(x.amountMinor, x.currency || currency)}</td>
              <td>
                <span className="alloc">
                  {ALLOCATION_ORDER.filter((k) => (x.allocation[k] ?? 0) !== 0).map((k) => (
                    <span key={k} className="alloc-item">
                      <span className="muted">{labels.component(k)}</span> {f.money(x.allocation[k] ?? 0, x.currency)}
                    </span>
                  ))}
                </span>
                {x.note && <span className="muted small block">{x.note}</span>}
              </td>
              <td>{x.method ? labels.method(x.method) : <span className="muted">—</span>}</td>
              <td className="mono small truncate" title={x.externalId ?? undefined}>{x.externalId ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};
