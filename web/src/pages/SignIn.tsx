import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError, verifyApiKey } from '../api.ts';
import { useSession } from '../session.tsx';
import { useTitle } from '../hooks.ts';
import { Field, Notice, Spinner } from '../components/Ui.tsx';
import { ErrorBanner } from '../components/ErrorBanner.tsx';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { Icon } from '../components/Icon.tsx';

/** Sign-in with a tenant API key, checked against the API before it is kept for the tab. */
export const SignInPage = () => {
  const { t } = useTranslation();
  const { apiKey, signIn, signOutReason } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/app/overview';
  const [key, setKey] = useState('');
  const [reveal, setReveal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  useTitle(t('signIn.title'));

  if (apiKey && !busy) return <Navigate to={from} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const k = key.trim();
    setError(null);
    if (!k) {
      setFieldError(t('signIn.keyRequired'));
      return;
    }
    setFieldError(null);
    setBusy(true);
    try {
      await verifyApiKey(k);
      signIn(k);
      void navigate(from, { replace: true });
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', String(err));
      if (apiErr.status === 401) setFieldError(t('signIn.keyRejected'));
      else setError(apiErr);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <div className="signin-lang">
        <LanguageSwitch />
      </div>
      <main className="signin-card" id="main">
        <div className="brand signin-brand">
          <span className="brand-mark" aria-hidden="true">T</span>
          <span>Tacto</span>
        </div>
        <h1>{t('signIn.title')}</h1>
        <p className="muted">{t('signIn.lead')}</p>
        {signOutReason === 'expired' && <Notice tone="warning">{t('signIn.expired')}</Notice>}
        {error && <ErrorBanner error={error} />}
        <form onSubmit={submit} noValidate>
          <Field label={t('signIn.keyLabel')} hint={t('signIn.demoHint')} errors={fieldError ? [fieldError] : undefined}>
            {(p) => (
              <div className="input-group">
                <input
                  {...p}
                  name="apiKey"
                  type={reveal ? 'text' : 'password'}
                  autoComplete="off"
                  spellCheck={false}
                  autoFocus
                  className="input mono"
                  placeholder="tk_…"
                  value={key}
                  onChange={(e) => setKey(e.target.value)}
                />
                <button type="button" className="btn btn-ghost btn-sm" aria-pressed={reveal} onClick={() => setReveal((r) => !r)}>
                  {reveal ? t('signIn.hide') : t('signIn.show')}
                </button>
              </div>
            )}
          </Field>
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? <Spinner /> : <Icon name="key" size={16} />}
            {busy ? t('signIn.checking') : t('signIn.submit')}
          </button>
        </form>
        <p className="signin-foot">
          {t('signIn.sessionNote')}{' '}
          <a href="/api/docs/" target="_blank" rel="noopener">
            {t('nav.apiDocs')}
          </a>
        </p>
      </main>
    </div>
  );
};
