import { useCallback, useEffect, useMemo, useRef, useState, type DependencyList } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api.ts';
import { formatDate, formatDateTime, formatMoney, formatMoneyCompact, formatNumber, formatPercent, localeFor } from './format.ts';

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
      dateTime: (iso: string | null | undefined) => formatDateTime(iso, locale),
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
