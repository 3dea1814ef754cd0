import { useCallback, useEffect, useMemo, useRef, useState, type DependencyList } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api.ts';
import { formatDate, formatDateTime, formatDuration, formatMoney, formatMoneyCompact, formatNumber, formatPercent, localeFor } from './format.ts';

export interface AsyncState<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  setData: (next: T) => void;
}

const asApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, 'CLIENT', e instanceof Error ? e.message : String(e));

/**
 * Runs a load when its dependencies change, cancelling the previous one so a slow answer can
 * never overwrite a newer one. `reload` keeps the current data on screen while refreshing.
 */
export const useAsync = <T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> => {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    loadRef.current(ctrl.signal).then(
      (d) => {
        if (ctrl.signal.aborted) return;
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(asApiError(e));
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData };
};

export { asApiError };

/** Formatters bound to the console's current language. */
export const useFormat = () => {
  const { i18n } = useTranslation();
  const locale = localeFor(i18n.language);
  return useMemo(
    () => ({
      locale,
      money: (minor: number, currency: string) => formatMoney(minor, currency, locale),
      moneyCompact: (minor: number, currency: string) => formatMoneyCompact(minor, currency, locale),
      number: (n: number) => formatNumber(n, locale),
      percent: (share: number) => formatPercent(share, locale),
      date: (iso: string | null | undefined) => formatDate(iso, locale),
      /** In the reader's time zone, or in `timeZone` (a debtor's) when given. */
      dateTime: (iso: string | null | undefined, timeZone?: string) => formatDateTime(iso, locale, timeZone),
      duration: (ms: number) => formatDuration(ms, locale),
    }),
    [locale],
  );
};

/** Sets the tab title: "<page> · Tacto". */
export const useTitle = (title: string): void => {
  useEffect(() => {
    document.title = title ? `${title} · Tacto` : 'Tacto';
  }, [title]);
};

export interface PagedList<T> {
  rows: T[];
  cursor: string | null;
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | null;
  loadMore: () => Promise<void>;
  reload: () => void;
}

/**
 * A cursor-paged list (`{ data, nextCursor }`): the first page loads whenever `query` changes
 * (cancelling a slower previous load), `loadMore` appends the next page. Used by the worklists.
 */
export const usePagedList = <T, Q extends { cursor?: string }>(
  load: (q: Q, signal?: AbortSignal) => Promise<{ data: T[]; nextCursor: string | null }>,
  query: Q,
  deps: DependencyList,
): PagedList<T> => {
  const [rows, setRows] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    loadRef.current(query, ctrl.signal).then(
      (page) => {
        if (ctrl.signal.aborted) return;
        setRows(page.data);
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        setRows([]);
        setCursor(null);
        setError(asApiError(e));
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [query, tick, ...deps]);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await loadRef.current({ ...query, cursor });
      setRows((r) => [...r, ...page.data]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setLoadingMore(false);
    }
  };
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { rows, cursor, loading, loadingMore, error, loadMore, reload };
};
