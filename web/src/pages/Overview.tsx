import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { SummaryRow } from '../api.ts';
import { BUCKETS, compareBuckets } from '../buckets.ts';
import { useApi } from '../session.tsx';
import { useAsync, useFormat, useTitle } from '../hooks.ts';
import type { BucketPoint } from '../components/BucketChart.tsx';
import { BucketBadge } from '../components/Badges.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { Card, Empty, Loading, PageHeader } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';

interface CurrencyTotals {
  currency: string;
  accounts: number;
  balanceMinor: number;
  delinquentAccounts: number;
  delinquentMinor: number;
  over90Minor: number;
}

const OVER_90 = new Set(['91-120', '121-180', '180+']);

// chart.js is the largest dependency: it loads with the overview, not with every page.
const BucketChart = lazy(() => import('../components/BucketChart.tsx').then((m) => ({ default: m.BucketChart })));

/** Per-currency totals; money is never added across currencies. */
export const totalsByCurrency = (rows: readonly SummaryRow[]): CurrencyTotals[] => {
  const by = new Map<string, CurrencyTotals>();
  for (const r of rows) {
    const c = by.get(r.currency) ?? { currency: r.currency, accounts: 0, balanceMinor: 0, delinquentAccounts: 0, delinquentMinor: 0, over90Minor: 0 };
    c.accounts += r.accounts;
    c.balanceMinor += r.balanceMinor;
    if (r.bucket !== 'current') {
      c.delinquentAccounts += r.accounts;
      c.delinquentMinor += r.balanceMinor;
    }
    if (OVER_90.has(r.bucket)) c.over90Minor += r.balanceMinor;
    by.set(r.currency, c);
  }
  return [...by.values()].sort((a, b) => b.accounts - a.accounts || a.currency.localeCompare(b.currency));
};

/** Every known bucket in order (zeros included, so the chart's shape is comparable), then any others. */
export const bucketPoints = (rows: readonly SummaryRow[], currency: string): BucketPoint[] => {
  const mine = rows.filter((r) => r.currency === currency);
  const names = [...new Set<string>([...BUCKETS, ...mine.map((r) => r.bucket)])].sort(compareBuckets);
  return names.map((bucket) => {
    const hit = mine.filter((r) => r.bucket === bucket);
    return { bucket, accounts: hit.reduce((s, r) => s + r.accounts, 0), balanceMinor: hit.reduce((s, r) => s + r.balanceMinor, 0) };
  });
};

/** The portfolio at a glance: open accounts and balance per currency, and where they sit by DPD. */
export const OverviewPage = () => {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  useTitle(t('overview.title'));
  const summary = useAsync((signal) => api.summary(signal), [api]);
  const rows = useMemo(() => summary.data?.data ?? [], [summary.data]);
  const totals = useMemo(() => totalsByCurrency(rows), [rows]);
  const [picked, setPicked] = useState<string | null>(null);
  const currency = picked && totals.some((c) => c.currency === picked) ? picked : (totals[0]?.currency ?? null);
  const selected = totals.find((c) => c.currency === currency);
  const points = useMemo(() => (currency ? bucketPoints(rows, currency) : []), [rows, currency]);

  const openAccounts = totals.reduce((s, c) => s + c.accounts, 0);
  const delinquent = totals.reduce((s, c) => s + c.delinquentAccounts, 0);

  return (
    <>
      <PageHeader
        title={t('overview.title')}
        subtitle={t('overview.subtitle')}
        actions={
          <button type="button" className="btn btn-secondary btn-sm" onClick={summary.reload} disabled={summary.loading}>
            <Icon name="refresh" size={16} />
            {t('action.refresh')}
          </button>
        }
      />
      {summary.error && <ErrorBanner error={summary.error} onRetry={summary.reload} />}
      {summary.loading && !summary.data && <Loading rows={4} />}
      {summary.data && totals.length === 0 && (
        <Card>
          <Empty icon="accounts" title={t('overview.emptyTitle')}>
            <p>{t('overview.emptyText')}</p>
            <Link className="btn btn-primary btn-sm" to="/app/imports">
              <Icon name="imports" size={16} />
              {t('overview.emptyAction')}
            </Link>
          </Empty>
        </Card>
      )}
      {summary.data && totals.length > 0 && selected && currency && (
        <>
          <div className="kpis" data-testid="kpis">
            <div className="kpi">
              <p className="kpi-label">{t('overview.openAccounts')}</p>
              <p className="kpi-value" data-testid="kpi-open-accounts">{f.number(openAccounts)}</p>
              <p className="kpi-foot">{t('overview.currencies', { count: totals.length })}</p>
            </div>
            <div className="kpi">
              <p className="kpi-label">{t('overview.delinquentAccounts')}</p>
              <p className="kpi-value">{f.number(delinquent)}</p>
              <p className="kpi-foot">{t('overview.ofOpen', { share: f.percent(openAccounts ? delinquent / openAccounts : 0) })}</p>
            </div>
            <div className="kpi">
              <p className="kpi-label">{t('overview.balanceIn', { currency })}</p>
              <p className="kpi-value" data-testid="kpi-balance">{f.money(selected.balanceMinor, currency)}</p>
              <p className="kpi-foot">{t('overview.pastDueBalance', { amount: f.money(selected.delinquentMinor, currency) })}</p>
            </div>
            <div className="kpi">
              <p className="kpi-label">{t('overview.over90')}</p>
              <p className="kpi-value">{f.percent(selected.balanceMinor ? selected.over90Minor / selected.balanceMinor : 0)}</p>
              <p className="kpi-foot">{f.money(selected.over90Minor, currency)}</p>
            </div>
          </div>

          <div className="grid-2-1">
            <Card
              className="chart-card"
              title={t('overview.chartTitle')}
              actions={
                totals.length > 1 ? (
                  <label className="inline-select">
                    <span>{t('overview.currency')}</span>
                    <select className="select select-sm" value={currency} onChange={(e) => setPicked(e.target.value)}>
                      {totals.map((c) => (
                        <option key={c.currency} value={c.currency}>
                          {c.currency}
                        </option>
                      ))}
                    </select>
                  </label>
                ) : (
                  <span className="muted">{currency}</span>
                )
              }
            >
              <Suspense fallback={<div className="chart-box"><Loading rows={5} /></div>}>
                <BucketChart points={points} currency={currency} />
              </Suspense>
            </Card>

            <Card title={t('overview.byCurrency')}>
              <ul className="currency-list">
                {totals.map((c) => (
                  <li key={c.currency}>
                    <button type="button" className={c.currency === currency ? 'currency-item is-active' : 'currency-item'} aria-pressed={c.currency === currency} onClick={() => setPicked(c.currency)}>
                      <span className="currency-code">{c.currency}</span>
                      <span className="currency-figures">
                        <span className="num strong">{f.money(c.balanceMinor, c.currency)}</span>
                        <span className="muted small">
                          {t('overview.accountsCount', { count: c.accounts, formatted: f.number(c.accounts) })} · {t('overview.delinquentShare', { share: f.percent(c.balanceMinor ? c.delinquentMinor / c.balanceMinor : 0) })}
                        </span>
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </Card>
          </div>

          <Card title={t('overview.bucketTable', { currency })}>
            <div className="table-wrap">
              <table className="table" data-testid="bucket-table">
                <thead>
                  <tr>
                    <th scope="col">{t('overview.bucket')}</th>
                    <th scope="col" className="num">{t('overview.accounts')}</th>
                    <th scope="col" className="num">{t('overview.shareAccounts')}</th>
                    <th scope="col" className="num">{t('overview.balance')}</th>
                    <th scope="col" className="num">{t('overview.shareBalance')}</th>
                    <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={p.bucket} className={p.accounts === 0 ? 'is-dim' : undefined}>
                      <td><BucketBadge bucket={p.bucket} /></td>
                      <td className="num">{f.number(p.accounts)}</td>
                      <td className="num">{f.percent(selected.accounts ? p.accounts / selected.accounts : 0)}</td>
                      <td className="num">{f.money(p.balanceMinor, currency)}</td>
                      <td className="num">
                        <span className="share">
                          <span className="share-bar" aria-hidden="true"><span style={{ width: `${selected.balanceMinor ? (100 * p.balanceMinor) / selected.balanceMinor : 0}%` }} /></span>
                          <span className="share-value">{f.percent(selected.balanceMinor ? p.balanceMinor / selected.balanceMinor : 0)}</span>
                        </span>
                      </td>
                      <td className="num">
                        {p.accounts > 0 && (
                          <Link className="link-subtle" to={`/app/accounts?bucket=${encodeURIComponent(p.bucket)}&currency=${encodeURIComponent(currency)}&status=open`}>
                            {t('overview.viewAccounts')}
                            <Icon name="chevronRight" size={14} />
                          </Link>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t('overview.total')}</th>
                    <td className="num strong">{f.number(selected.accounts)}</td>
                    <td className="num">{f.percent(1)}</td>
                    <td className="num strong">{f.money(selected.balanceMinor, currency)}</td>
                    <td className="num">{f.percent(1)}</td>
                    <td />
                  </tr>
                </tfoot>
              </table>
            </div>
            <p className="card-note">{t('overview.note')}</p>
          </Card>
        </>
      )}
    </>
  );
};
