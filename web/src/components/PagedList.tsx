import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat, type PagedList } from '../hooks.ts';
import { Loading, Spinner } from './Ui.tsx';

/** The "load more" button under a cursor-paged list. */
export const LoadMore = ({ onClick, busy, small }: { onClick: () => void; busy: boolean; small?: boolean }) => {
  const { t } = useTranslation();
  return (
    <div className="list-more">
      <button type="button" className={small ? 'btn btn-secondary btn-sm' : 'btn btn-secondary'} onClick={onClick} disabled={busy}>
        {busy && <Spinner />}
        {t('action.loadMore')}
      </button>
    </div>
  );
};

/**
 * The body of a worklist card: how many rows are shown (`<i18nKey>.showing` / `.showingMore`),
 * a skeleton while the first page loads, `empty` when there is nothing (and no error), the
 * table otherwise, and the button for the next page.
 */
export const PagedListBody = <T,>({ list, i18nKey, countTestId, empty, children }: {
  list: PagedList<T>;
  i18nKey: string;
  countTestId: string;
  empty: ReactNode;
  children: ReactNode;
}) => {
  const { t } = useTranslation();
  const f = useFormat();
  const { rows, cursor, loading, loadingMore, error, loadMore } = list;
  const shown = { count: rows.length, formatted: f.number(rows.length) };
  return (
    <>
      <div className="list-meta" aria-live="polite">
        {loading ? (
          <span className="muted">{t('common.loading')}</span>
        ) : (
          <span className="muted" data-testid={countTestId}>
            {cursor ? t(`${i18nKey}.showingMore`, shown) : t(`${i18nKey}.showing`, shown)}
          </span>
        )}
      </div>
      {loading ? <Loading rows={6} /> : rows.length === 0 ? !error && empty : children}
      {cursor && !loading && <LoadMore onClick={() => void loadMore()} busy={loadingMore} />}
    </>
  );
};
