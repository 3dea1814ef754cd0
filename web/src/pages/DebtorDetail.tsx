import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { debtorName } from '../api.ts';
import { useApi } from '../session.tsx';
import { useAsync, useFormat, useTitle } from '../hooks.ts';
import { useLabels } from '../labels.ts';
import { BucketBadge, StatusBadge } from '../components/Badges.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { DebtorPanel } from '../components/DebtorPanel.tsx';
import { Card, Empty, Loading, PageHeader } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';

/** A debtor with every account they hold with this agency, and their contact points. */
export const DebtorDetailPage = () => {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();
  const api = useApi();
  const debtor = useAsync((signal) => api.getDebtor(id, signal), [api, id]);
  const accounts = useAsync((signal) => api.listAccounts({ debtorId: id, limit: 200 }, signal), [api, id]);
  const d = debtor.data;
  useTitle(d ? debtorName(d) : t('debtor.title'));
  const back = (
    <Link to="/app/debtors" className="link-subtle">
      <Icon name="chevronLeft" size={16} />
      {t('debtor.back')}
    </Link>
  );
  if (!d) {
    return (
      <>
        <PageHeader back={back} title={t('debtor.title')} />
        {debtor.error ? <ErrorBanner error={debtor.error} onRetry={debtor.reload} /> : <Loading rows={5} />}
      </>
    );
  }
  return (
    <>
      <PageHeader back={back} title={debtorName(d) || d.externalRef} subtitle={<span className="mono">{d.externalRef}</span>} />
      <div className="grid-2-1 align-start">
        <Card title={t('debtor.accounts')}>
          {accounts.error && <ErrorBanner error={accounts.error} onRetry={accounts.reload} />}
          {accounts.loading && !accounts.data ? (
            <Loading />
          ) : accounts.data && accounts.data.data.length === 0 ? (
            <Empty icon="accounts" title={t('debtor.noAccounts')} />
          ) : (
            accounts.data && (
              <div className="table-wrap">
                <table className="table table-hover">
                  <thead>
                    <tr>
                      <th scope="col">{t('accounts.reference')}</th>
                      <th scope="col">{t('accounts.product')}</th>
                      <th scope="col" className="num">{t('accounts.balance')}</th>
                      <th scope="col" className="num"><abbr title={t('common.dpdLong')}>{t('common.dpdShort')}</abbr></th>
                      <th scope="col">{t('accounts.bucket')}</th>
                      <th scope="col">{t('accounts.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {accounts.data.data.map((a) => (
                      <tr key={a.id}>
                        <td><Link className="strong mono" to={`/app/accounts/${a.id}`}>{a.externalRef}</Link></td>
                        <td>{labels.product(a.product)}</td>
                        <td className="num strong">{f.money(a.balance.totalMinor, a.currency)}</td>
                        <td className="num">{f.number(a.daysPastDue)}</td>
                        <td><BucketBadge bucket={a.bucket} /></td>
                        <td><StatusBadge status={a.status} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          )}
        </Card>
        <Card title={t('debtor.profile')}>
          <DebtorPanel debtor={d} onChange={debtor.setData} linkToDebtor={false} />
        </Card>
      </div>
    </>
  );
};
