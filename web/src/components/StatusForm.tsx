import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ACCOUNT_STATUSES, type AccountDetail, type AccountStatus, type ApiError } from '../api.ts';
import { useApi } from '../session.tsx';
import { asApiError } from '../hooks.ts';
import { useLabels } from '../labels.ts';
import { ErrorBanner, useFieldErrors } from './ErrorBanner.tsx';
import { Field, Spinner } from './Ui.tsx';

/**
 * Changes an account's status with optimistic concurrency: the request names the version the
 * person was looking at, so a change made meanwhile by someone else is reported, not overwritten.
 */
export const StatusForm = ({ account, onSaved, onStale }: { account: AccountDetail; onSaved: (a: AccountDetail, from: AccountStatus) => void; onStale: () => void }) => {
  const { t } = useTranslation();
  const labels = useLabels();
  const api = useApi();
  const fieldErrors = useFieldErrors();
  const [status, setStatus] = useState<AccountStatus>(account.status);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => setStatus(account.status), [account.status]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (status === account.status) return;
    setBusy(true);
    setError(null);
    try {
      const from = account.status;
      onSaved(await api.updateAccount(account.id, { status, expectedVersion: account.version }), from);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const stale = error?.code === 'ACCOUNT.VERSION_CONFLICT';
  return (
    <form className="form" onSubmit={submit} data-testid="status-form" aria-label={t('status.title')}>
      {error && !fieldErrors(error, 'status').length && (
        <>
          <ErrorBanner error={error} />
          {stale && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => { setError(null); onStale(); }}>
              {t('status.reload')}
            </button>
          )}
        </>
      )}
      <Field label={t('status.label')} errors={fieldErrors(error, 'status')} hint={t('status.hint')}>
        {(p) => (
          <select {...p} name="status" className="select" value={status} onChange={(e) => setStatus(e.target.value as AccountStatus)}>
            {ACCOUNT_STATUSES.map((s) => (
              <option key={s} value={s}>{labels.status(s)}</option>
            ))}
          </select>
        )}
      </Field>
      <button type="submit" className="btn btn-secondary btn-block" disabled={busy || status === account.status}>
        {busy && <Spinner />}
        {t('status.submit')}
      </button>
    </form>
  );
};
