import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { debtorName, type DebtorQuery } from '../api.ts';
import { useApi } from '../session.tsx';
import { useFormat, usePagedList, useTitle } from '../hooks.ts';
import { useLabels } from '../labels.ts';
import { useFieldErrors, ErrorBanner } from '../components/ErrorBanner.tsx';
import { Badge } from '../components/Badges.tsx';
import { Card, Empty, Field, Loading, PageHeader } from '../components/Ui.tsx';
import { Icon } from '../components/Icon.tsx';
import { LoadMore } from '../components/PagedList.tsx';

const PAGE_SIZE = 50;

/** Find a debtor by name, national id or the creditor's reference. */
export const DebtorsPage = () => {
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();
  const api = useApi();
  const fieldErrors = useFieldErrors();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const ref = params.get('externalRef') ?? '';
  const [draftQ, setDraftQ] = useState(q);
  const [draftRef, setDraftRef] = useState(ref);
  const [localErr, setLocalErr] = useState<string | null>(null);
  useTitle(t('debtors.title'));

  useEffect(() => {
    setDraftQ(q);
    setDraftRef(ref);
  }, [q, ref]);

  const query = useMemo((): DebtorQuery => ({ limit: PAGE_SIZE, ...(q ? { q } : {}), ...(ref ? { externalRef: ref } : {}) }), [q, ref]);

  const { rows, cursor, loading, loadingMore: more, error, loadMore } = usePagedList(api.listDebtors, query, [api]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const nq = draftQ.trim();
    if (nq.length === 1) {
      setLocalErr(t('debtors.minChars'));
      return;
    }
    setLocalErr(null);
    const p = new URLSearchParams();
    if (nq) p.set('q', nq);
    if (draftRef.trim()) p.set('externalRef', draftRef.trim());
    setParams(p);
  };

  const searching = q !== '' || ref !== '';
  const qErrors = localErr ? [localErr] : fieldErrors(error, 'q');
  return (
    <>
      <PageHeader title={t('debtors.title')} subtitle={t('debtors.subtitle')} />
      <Card className="filters-card">
        <form className="filters" role="search" onSubmit={submit} aria-label={t('debtors.search')}>
          <Field label={t('debtors.q')} hint={t('debtors.qHint')} errors={qErrors.length ? qErrors : undefined} className="field-wide">
            {(p) => (
              <div className="input-icon">
                <Icon name="search" size={16} />
                <input {...p} type="search" name="q" className="input" value={draftQ} maxLength={100} onChange={(e) => setDraftQ(e.target.value)} autoComplete="off" />
              </div>
            )}
          </Field>
          <Field label={t('debtors.externalRef')} errors={fieldErrors(error, 'externalRef')}>
            {(p) => <input {...p} name="externalRef" className="input mono" value={draftRef} onChange={(e) => setDraftRef(e.target.value)} autoComplete="off" />}
          </Field>
          <div className="filters-actions">
            <button type="submit" className="btn btn-primary">
              <Icon name="search" size={16} />
              {t('action.search')}
            </button>
            {searching && (
              <button type="button" className="btn btn-ghost" onClick={() => setParams(new URLSearchParams())}>
                {t('action.clear')}
              </button>
            )}
          </div>
        </form>
      </Card>
      {error && !qErrors.length && <ErrorBanner error={error} />}
      <Card>
        <div className="list-meta" aria-live="polite">
          {!loading && <span className="muted">{cursor ? t('debtors.showingMore', { count: rows.length, formatted: f.number(rows.length) }) : t('debtors.showing', { count: rows.length, formatted: f.number(rows.length) })}</span>}
        </div>
        {loading ? (
          <Loading rows={6} />
        ) : rows.length === 0 ? (
          !error && <Empty icon="debtors" title={searching ? t('debtors.noMatch') : t('debtors.none')} />
        ) : (
          <div className="table-wrap">
            <table className="table table-hover" data-testid="debtors-table">
              <thead>
                <tr>
                  <th scope="col">{t('debtors.name')}</th>
                  <th scope="col">{t('debtors.externalRef')}</th>
                  <th scope="col">{t('debtor.nationalId')}</th>
                  <th scope="col">{t('debtor.country')}</th>
                  <th scope="col">{t('debtor.language')}</th>
                  <th scope="col">{t('debtors.contacts')}</th>
                  <th scope="col">{t('debtors.createdAt')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((d) => {
                  const opted = d.contactPoints.filter((c) => c.optedOutAt).length;
                  return (
                    <tr key={d.id}>
                      <td><Link className="strong" to={`/app/debtors/${d.id}`}>{debtorName(d) || d.externalRef}</Link></td>
                      <td className="mono small">{d.externalRef}</td>
                      <td className="mono small">{d.nationalId ?? <span className="muted">—</span>}</td>
                      <td>{labels.country(d.country)}</td>
                      <td>{labels.language(d.language)}</td>
                      <td>
                        {f.number(d.contactPoints.length)}
                        {opted > 0 && <> <Badge tone="danger">{t('debtors.optedOutCount', { count: opted })}</Badge></>}
                      </td>
                      <td className="nowrap">{f.date(d.createdAt)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {cursor && !loading && <LoadMore onClick={() => void loadMore()} busy={more} />}
      </Card>
    </>
  );
};
