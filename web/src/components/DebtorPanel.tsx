import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { debtorName, type ApiError, type ContactPoint, type Debtor } from '../api.ts';
import { useApi } from '../session.tsx';
import { asApiError, useFormat } from '../hooks.ts';
import { useLabels } from '../labels.ts';
import { Badge, ConsentBadge } from './Badges.tsx';
import { ErrorBanner } from './ErrorBanner.tsx';
import { DescriptionList, Spinner } from './Ui.tsx';
import { Icon, type IconName } from './Icon.tsx';

const KIND_ICON: Record<string, IconName> = { phone: 'phone', email: 'email', whatsapp: 'whatsapp', address: 'address' };

/** The debtor's wall-clock time, refreshed each minute: agents check it before calling. */
const useLocalTime = (timeZone: string, locale: string): string => {
  const fmt = () => {
    try {
      return new Intl.DateTimeFormat(locale, { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date());
    } catch {
      return '';
    }
  };
  const [now, setNow] = useState(fmt);
  useEffect(() => {
    setNow(fmt());
    const id = setInterval(() => setNow(fmt()), 30_000);
    return () => clearInterval(id);
  }, [timeZone, locale]);
  return now;
};

const OptOutForm = ({ debtorId, cp, onDone, onCancel }: { debtorId: string; cp: ContactPoint; onDone: (d: Debtor) => void; onCancel: () => void }) => {
  const { t } = useTranslation();
  const api = useApi();
  const [reason, setReason] = useState(t('contacts.defaultReason'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(await api.optOut(debtorId, cp.id, reason.trim() || t('contacts.defaultReason')));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="optout-form" onSubmit={submit}>
      <p className="small">{t('contacts.optOutExplain', { value: cp.value })}</p>
      <label className="visually-hidden" htmlFor={`reason-${cp.id}`}>{t('contacts.reason')}</label>
      <input id={`reason-${cp.id}`} className="input input-sm" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
      {error && <ErrorBanner error={error} />}
      <div className="row-actions">
        <button type="submit" className="btn btn-danger btn-sm" disabled={busy}>
          {busy && <Spinner />}
          {t('contacts.confirmOptOut')}
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
};

/** Contact points with consent and opt-out state; an opt-out applies to that address on every debt. */
export const ContactPoints = ({ debtor, onChange }: { debtor: Debtor; onChange: (d: Debtor) => void }) => {
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();
  const [optingOut, setOptingOut] = useState<string | null>(null);
  if (debtor.contactPoints.length === 0) return <p className="muted small">{t('contacts.none')}</p>;
  return (
    <ul className="contacts" data-testid="contact-points">
      {debtor.contactPoints.map((cp) => (
        <li key={cp.id} className={cp.optedOutAt ? 'contact is-opted-out' : 'contact'}>
          <span className="contact-icon" title={labels.contactKind(cp.kind)}>
            <Icon name={KIND_ICON[cp.kind] ?? 'info'} size={16} label={labels.contactKind(cp.kind)} />
          </span>
          <div className="contact-main">
            <div className="contact-value">
              <span className={cp.kind === 'address' ? '' : 'mono'}>{cp.value}</span>
              {cp.label && <span className="muted small">· {cp.label}</span>}
              {!cp.optedOutAt && optingOut !== cp.id && (
                <button type="button" className="btn btn-ghost btn-sm contact-action" onClick={() => setOptingOut(cp.id)} aria-label={t('contacts.optOutFor', { value: cp.value })}>
                  {t('contacts.optOut')}
                </button>
              )}
            </div>
            <div className="contact-state">
              {cp.isPrimary && <Badge tone="info">{t('contacts.primary')}</Badge>}
              <span title={cp.consentAt ? t('contacts.consentOn', { date: f.date(cp.consentAt) }) : undefined}>
                <ConsentBadge consent={cp.consent} />
              </span>
              {cp.optedOutAt && <Badge tone="danger">{t('contacts.optedOutOn', { date: f.date(cp.optedOutAt) })}</Badge>}
            </div>
            {cp.optedOutAt && cp.optOutReason && <p className="small muted">{t('contacts.reasonText', { reason: cp.optOutReason })}</p>}
            {optingOut === cp.id && (
              <OptOutForm
                debtorId={debtor.id}
                cp={cp}
                onCancel={() => setOptingOut(null)}
                onDone={(d) => {
                  setOptingOut(null);
                  onChange(d);
                }}
              />
            )}
          </div>
        </li>
      ))}
    </ul>
  );
};

/** Who owes: identity, language, where and what time it is for them, and how to reach them. */
export const DebtorPanel = ({ debtor, onChange, linkToDebtor = true }: { debtor: Debtor; onChange: (d: Debtor) => void; linkToDebtor?: boolean }) => {
  const { t } = useTranslation();
  const f = useFormat();
  const labels = useLabels();
  const localTime = useLocalTime(debtor.timezone, f.locale);
  const name = debtorName(debtor);
  return (
    <div className="debtor-panel" data-testid="debtor-panel">
      <div className="debtor-head">
        <span className="avatar" aria-hidden="true">{(name || '?').slice(0, 1).toUpperCase()}</span>
        <div>
          <p className="debtor-name">{linkToDebtor ? <Link to={`/app/debtors/${debtor.id}`}>{name}</Link> : name}</p>
          <p className="muted small mono">{debtor.externalRef}</p>
        </div>
      </div>
      <DescriptionList
        items={[
          { label: t('debtor.nationalId'), value: debtor.nationalId ? <span className="mono">{debtor.nationalId}</span> : '' },
          { label: t('debtor.birthDate'), value: f.date(debtor.birthDate) },
          { label: t('debtor.language'), value: labels.language(debtor.language) },
          { label: t('debtor.country'), value: `${labels.country(debtor.country)}${debtor.region ? ` · ${debtor.region}` : ''}` },
          { label: t('debtor.localTime'), value: localTime ? `${localTime} (${debtor.timezone})` : debtor.timezone },
        ]}
      />
      <h3 className="subheading">{t('contacts.title')}</h3>
      <ContactPoints debtor={debtor} onChange={onChange} />
    </div>
  );
};
