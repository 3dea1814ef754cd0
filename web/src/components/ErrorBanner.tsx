import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.ts';
import { Icon } from './Icon.tsx';

/** The i18n key of an API error code: `ACCOUNT.VERSION_CONFLICT` -> `apiError.ACCOUNT_VERSION_CONFLICT`. */
const keyOf = (code: string) => `apiError.${code.replaceAll('.', '_')}`;

/**
 * Messages for one form field from an API error. A specific code the console has words for
 * (`TRANSACTION.EXTERNAL_ID_REUSED`) is shown in the reader's language; generic schema failures
 * (`REQUEST.INVALID`) keep the API's own message, which names the exact rule.
 */
export const useFieldErrors = () => {
  const { t, i18n } = useTranslation();
  return (error: ApiError | null, ...names: string[]): string[] => {
    if (!error) return [];
    const raw = error.forField(...names);
    if (raw.length === 0) return [];
    if (error.code !== 'REQUEST.INVALID' && i18n.exists(keyOf(error.code))) return [t(keyOf(error.code))];
    return raw;
  };
};

/**
 * Shows an API failure the way support needs it: a sentence in the reader's language, the API's
 * own message and field details, the stable code and the request id to quote.
 */
export const ErrorBanner = ({ error, onRetry, title }: { error: ApiError; onRetry?: () => void; title?: string }) => {
  const { t, i18n } = useTranslation();
  const known = i18n.exists(keyOf(error.code));
  const headline = title ?? (known ? t(keyOf(error.code)) : t('error.generic'));
  return (
    <div className="banner banner-error" role="alert" data-error-code={error.code}>
      <Icon name="alert" className="banner-icon" />
      <div className="banner-body">
        <p className="banner-title">{headline}</p>
        {error.message && error.message !== headline && <p className="banner-text">{error.message}</p>}
        {error.details.length > 0 && (
          <ul className="banner-details">
            {error.details.map((d, i) => (
              <li key={i}>
                {d.row !== undefined && <span className="mono">{t('error.row', { row: d.row })} · </span>}
                {d.field && <span className="mono">{d.field}: </span>}
                {d.message}
              </li>
            ))}
          </ul>
        )}
        <p className="banner-meta">
          <span className="mono">{error.code}</span>
          {error.status > 0 && <> · HTTP {error.status}</>}
          {error.requestId && (
            <>
              {' · '}
              {t('error.requestId')} <span className="mono">{error.requestId}</span>
            </>
          )}
        </p>
      </div>
      {onRetry && (
        <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
          <Icon name="refresh" size={16} />
          {t('action.retry')}
        </button>
      )}
    </div>
  );
};
