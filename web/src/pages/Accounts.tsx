import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ACCOUNT_STATUSES, type AccountQuery, type ApiError } from '../api.ts';
import { BUCKETS } from '../buckets.ts';
import { useApi } from '../session.tsx';
import { useFormat, usePagedList, useTitle } from '../hooks.ts';
import { useLabels } from '../labels.ts';
import { BucketBadge, StatusBadge } from '../components/Badges.tsx';
import { ErrorBanner, useFieldErrors } from '../components/ErrorBanner.tsx';
import { Card, Empty, Field, PageHeader } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';
import { PagedListBody } from '../components/PagedList.tsx';

const PAGE_SIZE = 50;
const FILTERS = ['bucket', 'status', 'creditorRef', 'product', 'currency', 'minDaysPastDue', 'maxDaysPastDue'] as const;
type FilterName = (typeof FILTERS)[number];
type Filters = Record<FilterName, string>;

const readFilters = (p: URLSearchParams): Filters =>
  Object.fromEntries(FILTERS.map((k) => [k, p.get(k) ?? ''])) as Filters;

/** Client-side checks that save a round trip; the API checks again and its details win. */
const validate = (f: Filters): Partial<Record<FilterName, string>> => {
  const out: Partial<Record<FilterName, string>> = {};
  for (const k of ['minDaysPastDue', 'maxDaysPastDue'] as const) {
    if (f[k] !== '' && !/^\d+$/.test(f[k])) out[k] = 'accounts.errWholeDays';
  }
  if (!out.minDaysPastDue && !out.maxDaysPastDue && f.minDaysPastDue !== '' && f.maxDaysPastDue !== '' && Number(f.minDaysPastDue) > Number(f.maxDaysPastDue)) {
    out.maxDaysPastDue = 'accounts.errRange';
  }
  if (f.currency !== '' && !/^[A-Za-z]{3}$/.test(f.currency)) out.currency = 'accounts.errCurrency';
  return out;
};

/** True when every detail of an error names a filter: the fields show it, no banner is needed. */
const onlyFilterErrors = (e: ApiError) =>
  e.details.length > 0 && e.details.every((d) => FILTERS.some((k) => d.field === k || d.field === `querystring.${k}`));

/** The portfolio as a worklist: filter by bucket, status, creditor, DPD range and product. */
export const AccountsPage = () => {
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();
  const api = useApi();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const applied = useMemo(() => readFilters(params), [params]);
  const [draft, setDraft] = useState<Filters>(applied);
  useTitle(t('accounts.title'));

  // Keep the form in step when the URL changes (back button, links from the overview).
  useEffect(() => setDraft(applied), [applied]);

  const problems = validate(draft);
  const query = useMemo((): AccountQuery => {
    const q: AccountQuery = { limit: PAGE_SIZE };
    for (const k of FILTERS) if (applied[k] !== '') q[k] = k === 'currency' ? applied[k].toUpperCase() : applied[k];
    // "open" is not a status but the set the overview counts: active and charged off.
    if (q.status === 'open') {
      delete q.status;
      q.open = 'true';
    }
    return q;
  }, [applied]);

  const list = usePagedList(api.listAccounts, query, [api]);
  const { rows, error } = list;

  const apply = (next: Filters) => {
    if (Object.keys(validate(next)).length) return;
    const p = new URLSearchParams();
    for (const k of FILTERS) if (next[k].trim() !== '') p.set(k, next[k].trim());
    setParams(p);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const setAndApply = (k: FilterName, v: string) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    apply(next);
  };
  const clear = () => {
    setDraft(readFilters(new URLSearchParams()));
    setParams(new URLSearchParams());
  };
  const active = FILTERS.filter((k) => applied[k] !== '').length;
  const dirty = FILTERS.some((k) => draft[k].trim() !== applied[k]);

  const apiFieldErrors = useFieldErrors();
  const fieldErrors = (k: FilterName): string[] | undefined => {
    const local = problems[k];
    if (local) return [t(local)];
    const remote = apiFieldErrors(error, k);
    return remote.length ? remote : undefined;
  };

  return (
    <>
      <PageHeader title={t('accounts.title')} subtitle={t('accounts.subtitle')} />
      <Card className="filters-card">
        <form className="filters" onSubmit={onSubmit} aria-label={t('accounts.filters')} role="search">
          <Field label={t('accounts.bucket')}>
            {(p) => (
              <select {...p} name="bucket" className="select" value={draft.bucket} onChange={(e) => setAndApply('bucket', e.target.value)}>
                <option value="">{t('common.all')}</option>
                {BUCKETS.map((b) => (
                  <option key={b} value={b}>{labels.bucket(b)}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('accounts.status')}>
            {(p) => (
              <select {...p} name="status" className="select" value={draft.status} onChange={(e) => setAndApply('status', e.target.value)}>
                <option value="">{t('common.all')}</option>
                <option value="open">{t('accounts.openStatuses')}</option>
                {ACCOUNT_STATUSES.map((s) => (
                  <option key={s} value={s}>{labels.status(s)}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('accounts.creditorRef')} errors={fieldErrors('creditorRef')}>
            {(p) => <input {...p} name="creditorRef" className="input" value={draft.creditorRef} onChange={(e) => setDraft({ ...draft, creditorRef: e.target.value })} placeholder="BANCO-1" autoComplete="off" />}
          </Field>
          <Field label={t('accounts.product')} errors={fieldErrors('product')}>
            {(p) => <input {...p} name="product" className="input" value={draft.product} onChange={(e) => setDraft({ ...draft, product: e.target.value })} placeholder="personal_loan" autoComplete="off" />}
          </Field>
          <Field label={t('accounts.currency')} errors={fieldErrors('currency')} className="field-currency">
            {(p) => <input {...p} name="currency" className="input" value={draft.currency} maxLength={3} onChange={(e) => setDraft({ ...draft, currency: e.target.value.toUpperCase() })} placeholder="EUR" autoComplete="off" />}
          </Field>
          <div className={`field field-range${fieldErrors('minDaysPastDue') || fieldErrors('maxDaysPastDue') ? ' field-invalid' : ''}`} role="group" aria-labelledby="dpd-range-label">
            <span className="field-label" id="dpd-range-label">{t('accounts.dpdRange')}</span>
            <div className="range-inputs">
              <input
                name="minDaysPastDue"
                className="input num"
                inputMode="numeric"
                aria-label={`${t('accounts.dpdRange')}: ${t('accounts.dpdMin')}`}
                aria-invalid={fieldErrors('minDaysPastDue') ? true : undefined}
                aria-describedby={fieldErrors('minDaysPastDue') || fieldErrors('maxDaysPastDue') ? 'dpd-range-error' : undefined}
                placeholder={t('accounts.dpdMin')}
                value={draft.minDaysPastDue}
                onChange={(e) => setDraft({ ...draft, minDaysPastDue: e.target.value })}
              />
              <span className="range-sep" aria-hidden="true">–</span>
              <input
                name="maxDaysPastDue"
                className="input num"
                inputMode="numeric"
                aria-label={`${t('accounts.dpdRange')}: ${t('accounts.dpdMax')}`}
                aria-invalid={fieldErrors('maxDaysPastDue') ? true : undefined}
                aria-describedby={fieldErrors('minDaysPastDue') || fieldErrors('maxDaysPastDue') ? 'dpd-range-error' : undefined}
                placeholder={t('accounts.dpdMax')}
                value={draft.maxDaysPastDue}
                onChange={(e) => setDraft({ ...draft, maxDaysPastDue: e.target.value })}
              />
            </div>
            {(fieldErrors('minDaysPastDue') || fieldErrors('maxDaysPastDue')) && (
              <p className="field-error" id="dpd-range-error">
                {[...(fieldErrors('minDaysPastDue') ?? []), ...(fieldErrors('maxDaysPastDue') ?? [])].join(' · ')}
              </p>
            )}
          </div>
          <div className="filters-actions">
            <button type="submit" className="btn btn-primary" disabled={!dirty || Object.keys(problems).length > 0}>
              <Icon name="search" size={16} />
              {t('action.apply')}
            </button>
            {active > 0 && (
              <button type="button" className="btn btn-ghost" onClick={clear}>
                {t('action.clearFilters', { count: active })}
              </button>
            )}
          </div>
        </form>
      </Card>

      {error && !onlyFilterErrors(error) && <ErrorBanner error={error} onRetry={list.reload} />}

      <Card>
        <PagedListBody
          list={list}
          i18nKey="accounts"
          countTestId="accounts-count"
          empty={
            <Empty icon="search" title={t('accounts.emptyTitle')}>
              <p>{active ? t('accounts.emptyFiltered') : t('accounts.emptyAll')}</p>
            </Empty>
          }
        >
          <div className="table-wrap">
            <table className="table table-hover table-cards" data-testid="accounts-table">
              <thead>
                <tr>
                  <th scope="col">{t('accounts.reference')}</th>
                  <th scope="col">{t('accounts.debtor')}</th>
                  <th scope="col" className="c-product">{t('accounts.product')}</th>
                  <th scope="col" className="num">{t('accounts.balance')}</th>
                  <th scope="col" className="num"><abbr title={t('common.dpdLong')}>{t('common.dpdShort')}</abbr></th>
                  <th scope="col">{t('accounts.bucket')}</th>
                  <th scope="col">{t('accounts.status')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((a) => {
                  const d = a.debtor;
                  return (
                    <tr key={a.id} onClick={(e) => { if (!(e.target as HTMLElement).closest('a')) void navigate(`/app/accounts/${a.id}`); }}>
                      <td className="c-ref">
                        <Link className="strong mono" to={`/app/accounts/${a.id}`}>{a.externalRef}</Link>
                      </td>
                      <td className="c-debtor">
                        {(
                          <span className="cell-stack">
                            <span>{d.name}</span>
                            <span className="muted small mono">{d.externalRef}</span>
                          </span>
                        )}
                      </td>
                      <td className="c-product">{labels.product(a.product)}</td>
                      <td className="num strong c-balance">{f.money(a.balance.totalMinor, a.currency)}</td>
                      <td className="num c-dpd" data-label={t('common.dpd')} data-testid="dpd">{f.number(a.daysPastDue)}</td>
                      <td className="c-bucket"><BucketBadge bucket={a.bucket} /></td>
                      <td className="c-status"><StatusBadge status={a.status} /></td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </PagedListBody>
      </Card>
    </>
  );
};
