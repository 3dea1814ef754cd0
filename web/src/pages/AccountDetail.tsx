import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { debtorName, type AccountDetail, type AccountStatus, type Transaction } from '../api.ts';
import { useApi } from '../session.tsx';
import { useAsync, useFormat, useTitle } from '../hooks.ts';
import { useLabels } from '../labels.ts';
import { BucketBadge, StatusBadge } from '../components/Badges.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { Card, DescriptionList, Loading, Notice, PageHeader } from '../components/Ui.tsx';
import { LoadMore } from '../components/PagedList.tsx';
import { Icon } from '../components/Icon.tsx';
import { ScheduleTable, TransactionsTable } from '../components/AccountTables.tsx';
import { DebtorPanel } from '../components/DebtorPanel.tsx';
import { PaymentForm } from '../components/PaymentForm.tsx';
import { StatusForm } from '../components/StatusForm.tsx';
import { StrategyPanel } from '../components/StrategyPanel.tsx';

type Outcome =
  | { kind: 'payment'; tx: Transaction; before: AccountDetail; after: AccountDetail }
  | { kind: 'status'; from: AccountStatus; to: AccountStatus };

const TX_PAGE = 25;

/** One debt: balance breakdown, schedule, ledger, the debtor, and the two actions staff take here. */
export const AccountDetailPage = () => {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();
  const api = useApi();
  const account = useAsync((signal) => api.getAccount(id, signal), [api, id]);
  const txs = useAsync((signal) => api.listTransactions({ accountId: id, limit: TX_PAGE }, signal), [api, id]);
  const debtorId = account.data?.debtorId;
  const debtor = useAsync((signal) => (debtorId ? api.getDebtor(debtorId, signal) : Promise.resolve(null)), [api, debtorId]);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const a = account.data;
  useTitle(a ? `${a.externalRef} · ${t('account.title')}` : t('account.title'));

  const onPayment = async (tx: Transaction) => {
    if (!a) return;
    const before = a;
    try {
      const after = await api.getAccount(id);
      account.setData(after);
      setOutcome({ kind: 'payment', tx, before, after });
    } catch {
      // The payment is recorded; only the refresh failed. Load again through the normal path.
      setOutcome(null);
      account.reload();
    }
    txs.reload();
  };

  const loadMoreTx = async () => {
    const cursor = txs.data?.nextCursor;
    if (!cursor || !txs.data) return;
    setMoreBusy(true);
    try {
      const next = await api.listTransactions({ accountId: id, limit: TX_PAGE, cursor });
      txs.setData({ data: [...txs.data.data, ...next.data], nextCursor: next.nextCursor });
    } finally {
      setMoreBusy(false);
    }
  };

  const back = (
    <Link to="/app/accounts" className="link-subtle">
      <Icon name="chevronLeft" size={16} />
      {t('account.back')}
    </Link>
  );

  if (account.error && !a) {
    return (
      <>
        <PageHeader back={back} title={t('account.title')} />
        <ErrorBanner error={account.error} onRetry={account.reload} />
      </>
    );
  }
  if (!a) {
    return (
      <>
        <PageHeader back={back} title={t('account.title')} />
        <Loading rows={6} />
      </>
    );
  }

  const b = a.balance;
  return (
    <>
      <PageHeader
        back={back}
        title={
          <>
            <span className="mono-title">{a.externalRef}</span>
            {debtor.data && (
              <Link className="title-aside" to={`/app/debtors/${debtor.data.id}`}>
                {debtorName(debtor.data)}
              </Link>
            )}
          </>
        }
        subtitle={
          <span className="header-meta">
            <StatusBadge status={a.status} />
            <BucketBadge bucket={a.bucket} />
            <span>{labels.product(a.product)}</span>
            <span className="muted">·</span>
            <span>{a.currency}</span>
            {a.openedAt && (
              <>
                <span className="muted">·</span>
                <span className="muted">{t('account.openedOn', { date: f.date(a.openedAt) })}</span>
              </>
            )}
          </span>
        }
      />

      {outcome?.kind === 'payment' && (
        <Notice onClose={() => setOutcome(null)}>
          <p className="banner-title" data-testid="payment-notice">{t('account.paymentRecorded', { amount: f.money(outcome.tx.amountMinor, outcome.tx.currency) })}</p>
          <p className="banner-text">
            {t('account.balanceChange', { from: f.money(outcome.before.balance.totalMinor, a.currency), to: f.money(outcome.after.balance.totalMinor, a.currency) })}
            {' · '}
            {t('account.dpdChange', { from: f.number(outcome.before.daysPastDue), to: f.number(outcome.after.daysPastDue) })}
          </p>
        </Notice>
      )}
      {outcome?.kind === 'status' && (
        <Notice onClose={() => setOutcome(null)}>
          <p className="banner-title">{t('account.statusChanged', { from: labels.status(outcome.from), to: labels.status(outcome.to) })}</p>
        </Notice>
      )}

      <div className="balance-strip" data-testid="balance">
        <div className="balance-main">
          <p className="kpi-label">{t('account.totalOwed')}</p>
          <p className="kpi-value" data-testid="balance-total">{f.money(b.totalMinor, a.currency)}</p>
          <p className="kpi-foot">{t('account.originalPrincipal', { amount: f.money(a.originalPrincipalMinor, a.currency) })}</p>
        </div>
        <div className="balance-part">
          <p className="kpi-label">{t('component.principal')}</p>
          <p className="balance-figure">{f.money(b.principalMinor, a.currency)}</p>
        </div>
        <div className="balance-part">
          <p className="kpi-label">{t('component.interest')}</p>
          <p className="balance-figure">{f.money(b.interestMinor, a.currency)}</p>
        </div>
        <div className="balance-part">
          <p className="kpi-label">{t('component.fees')}</p>
          <p className="balance-figure">{f.money(b.feesMinor, a.currency)}</p>
        </div>
        <div className="balance-part">
          <p className="kpi-label">{t('component.credit')}</p>
          <p className="balance-figure">{f.money(b.creditMinor, a.currency)}</p>
        </div>
        <div className={a.daysPastDue > 0 ? 'balance-part dpd is-late' : 'balance-part dpd'}>
          <p className="kpi-label"><abbr title={t('common.dpdLong')}>{t('common.dpd')}</abbr></p>
          <p className="balance-figure" data-testid="dpd-value">{f.number(a.daysPastDue)}</p>
          <p className="kpi-foot">
            {a.oldestUnpaidDueDate ? t('account.oldestUnpaid', { date: f.date(a.oldestUnpaidDueDate) }) : t('account.upToDate')}
          </p>
        </div>
      </div>

      <div className="grid-2-1 align-start">
        <div className="stack">
          <Card title={t('strategy.title')} className="strategy-card">
            <StrategyPanel accountId={a.id} debtorTimezone={debtor.data?.timezone ?? null} />
          </Card>
          <Card title={t('schedule.title')}>
            <ScheduleTable account={a} />
          </Card>
          <Card title={t('transactions.title')}>
            {txs.error && <ErrorBanner error={txs.error} onRetry={txs.reload} />}
            {txs.loading && !txs.data ? <Loading /> : txs.data && <TransactionsTable transactions={txs.data.data} currency={a.currency} />}
            {txs.data?.nextCursor && <LoadMore small onClick={() => void loadMoreTx()} busy={moreBusy} />}
          </Card>
          <Card title={t('account.details')}>
            <DescriptionList
              items={[
                { label: t('account.id'), value: <span className="mono small">{a.id}</span> },
                { label: t('account.product'), value: labels.product(a.product) },
                { label: t('account.openedAt'), value: f.date(a.openedAt) },
                { label: t('account.chargedOffAt'), value: f.date(a.chargedOffAt) },
                { label: t('account.dpdAsOf'), value: f.date(a.dpdAsOf) },
                { label: t('account.updatedAt'), value: f.dateTime(a.updatedAt) },
                { label: t('account.version'), value: String(a.version) },
              ]}
            />
          </Card>
        </div>
        <div className="stack">
          <Card title={t('payment.title')}>
            <PaymentForm account={a} onRecorded={onPayment} />
          </Card>
          <Card title={t('status.title')}>
            <StatusForm
              account={a}
              onStale={account.reload}
              onSaved={(next, from) => {
                account.setData(next);
                setOutcome({ kind: 'status', from, to: next.status });
              }}
            />
          </Card>
          <Card title={t('debtor.title')}>
            {debtor.error && <ErrorBanner error={debtor.error} onRetry={debtor.reload} />}
            {debtor.data ? <DebtorPanel debtor={debtor.data} onChange={(d) => debtor.setData(d)} /> : !debtor.error && <Loading />}
          </Card>
        </div>
      </div>
    </>
  );
};
