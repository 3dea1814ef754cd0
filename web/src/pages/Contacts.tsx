import { useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { CONTACT_CHANNELS, SCHEDULED_CONTACT_STATUSES, type ScheduledContactQuery } from '../api.ts';
import { useApi } from '../session.tsx';
import { useFormat, usePagedList, useTitle } from '../hooks.ts';
import { humanize } from '../labels.ts';
import { Badge } from '../components/Badges.tsx';
import { CHANNEL_ICON, CONTACT_TONE } from '../components/StrategyPanel.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { Card, Empty, Field, PageHeader } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';
import { PagedListBody } from '../components/PagedList.tsx';

const PAGE_SIZE = 50;
const FILTERS = ['status', 'channel', 'accountId', 'runDate'] as const;

/** What the daily run scheduled, newest first: filter by status and channel, open the account. */
export const ContactsPage = () => {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  useTitle(t('contactsPage.title'));

  const query = useMemo((): ScheduledContactQuery => {
    const q: ScheduledContactQuery = { limit: PAGE_SIZE };
    const status = params.get('status');
    const channel = params.get('channel');
    const accountId = params.get('accountId');
    const runDate = params.get('runDate');
    if (status) q.status = status as ScheduledContactQuery['status'];
    if (channel) q.channel = channel as ScheduledContactQuery['channel'];
    if (accountId) q.accountId = accountId;
    if (runDate) q.runDate = runDate;
    return q;
  }, [params]);
  const list = usePagedList(api.listScheduledContacts, query, [api]);
  const { rows, error } = list;

  const set = (k: (typeof FILTERS)[number], v: string) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    setParams(p);
  };
  const active = FILTERS.filter((k) => params.get(k)).length;
  const channelLabel = (c: string) => t(`channel.${c}`, { defaultValue: humanize(c) });

  return (
    <>
      <PageHeader
        title={t('contactsPage.title')}
        subtitle={query.runDate ? t('contactsPage.subtitleRunDate', { date: f.date(query.runDate) }) : t('contactsPage.subtitle')}
      />
      <Card className="filters-card">
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('contactsPage.filters')} role="search">
          <Field label={t('contactsPage.status')}>
            {(p) => (
              <select {...p} name="status" className="select" value={params.get('status') ?? ''} onChange={(e) => set('status', e.target.value)}>
                <option value="">{t('common.all')}</option>
                {SCHEDULED_CONTACT_STATUSES.map((s) => (
                  <option key={s} value={s}>{t(`contactStatus.${s}`)}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('contactsPage.channel')}>
            {(p) => (
              <select {...p} name="channel" className="select" value={params.get('channel') ?? ''} onChange={(e) => set('channel', e.target.value)}>
                <option value="">{t('common.all')}</option>
                {CONTACT_CHANNELS.map((c) => (
                  <option key={c} value={c}>{channelLabel(c)}</option>
                ))}
              </select>
            )}
          </Field>
          {active > 0 && (
            <div className="filters-actions">
              <button type="button" className="btn btn-ghost" onClick={() => setParams(new URLSearchParams())}>
                {t('action.clearFilters', { count: active })}
              </button>
            </div>
          )}
        </form>
      </Card>

      {error && <ErrorBanner error={error} onRetry={list.reload} />}

      <Card>
        <PagedListBody
          list={list}
          i18nKey="contactsPage"
          countTestId="contacts-count"
          empty={
            <Empty icon="schedule" title={t('contactsPage.emptyTitle')}>
              <p>{active ? t('contactsPage.emptyFiltered') : t('contactsPage.emptyAll')}</p>
            </Empty>
          }
        >
          <div className="table-wrap">
            <table className="table table-hover table-cards" data-testid="contacts-table">
              <thead>
                <tr>
                  <th scope="col">{t('contactsPage.when')}</th>
                  <th scope="col">{t('contactsPage.account')}</th>
                  <th scope="col">{t('contactsPage.action')}</th>
                  <th scope="col">{t('contactsPage.channel')}</th>
                  <th scope="col">{t('contactsPage.status')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id} data-status={c.status} onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) void navigate(`/app/accounts/${c.accountId}`); }}>
                    <td>
                      <span className="cell-stack">
                        <span>{f.dateTime(c.sendAt)}</span>
                        {c.debtorTimezone && (
                          <span className="muted small">{t('contactsPage.debtorTimeShort', { time: f.dateTime(c.sendAt, c.debtorTimezone) })}</span>
                        )}
                      </span>
                    </td>
                    <td>
                      <span className="cell-stack">
                        <Link className="strong mono" to={`/app/accounts/${c.accountId}`}>{c.accountRef ?? c.accountId}</Link>
                        {c.debtorName && <span className="muted small">{c.debtorName}</span>}
                      </span>
                    </td>
                    <td>{t(`purpose.${c.purpose}`, { defaultValue: humanize(c.purpose) })}</td>
                    <td>
                      {c.channel ? (
                        <span className="inline-icon">
                          <Icon name={CHANNEL_ICON[c.channel] ?? 'email'} size={16} />
                          {channelLabel(c.channel)}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td><Badge tone={CONTACT_TONE[c.status] ?? 'neutral'}>{t(`contactStatus.${c.status}`, { defaultValue: humanize(c.status) })}</Badge></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </PagedListBody>
      </Card>
    </>
  );
};
