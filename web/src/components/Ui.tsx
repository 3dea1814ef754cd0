import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon, type IconName } from './Icon.tsx';

export const PageHeader = ({ title, subtitle, actions, back }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode; back?: ReactNode }) => (
  <header className="page-header">
    {back && <div className="page-back">{back}</div>}
    <div className="page-header-row">
      <div className="page-heading">
        <h1>{title}</h1>
        {subtitle && <div className="page-subtitle">{subtitle}</div>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  </header>
);

export const Card = ({ title, actions, children, className, id }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; id?: string }) => {
  const hid = useId();
  return (
    <section className={className ? `card ${className}` : 'card'} aria-labelledby={title ? hid : undefined} id={id}>
      {(title || actions) && (
        <div className="card-header">
          {title && <h2 id={hid}>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
};

export const Loading = ({ label, rows = 3 }: { label?: string; rows?: number }) => {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="visually-hidden">{label ?? t('common.loading')}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 12}%` }} aria-hidden="true" />
      ))}
    </div>
  );
};

export const Spinner = () => <span className="spinner" aria-hidden="true" />;

export const Empty = ({ icon = 'info', title, children }: { icon?: IconName; title: ReactNode; children?: ReactNode }) => (
  <div className="empty">
    <Icon name={icon} size={22} />
    <p className="empty-title">{title}</p>
    {children && <div className="empty-text">{children}</div>}
  </div>
);

/** A labelled control with hint and error text wired to it through aria-describedby. */
export const Field = ({
  label,
  hint,
  errors,
  children,
  className,
}: {
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[] | undefined;
  className?: string;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode;
}) => {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const hasErr = !!errors && errors.length > 0;
  const described = [hint ? hintId : null, hasErr ? errId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${hasErr ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(described ? { 'aria-describedby': described } : {}), ...(hasErr ? { 'aria-invalid': true as const } : {}) })}
      {hint && !hasErr && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {hasErr && (
        <p className="field-error" id={errId}>
          {errors.join(' · ')}
        </p>
      )}
    </div>
  );
};

/** An on/off switch: a real checkbox with role="switch", so it is keyboard- and reader-friendly. */
export const Toggle = ({ checked, onChange, label, hint, name }: { checked: boolean; onChange: (v: boolean) => void; label: ReactNode; hint?: ReactNode; name?: string }) => {
  const id = useId();
  return (
    <div className="toggle-row">
      <input id={id} name={name} type="checkbox" role="switch" className="toggle" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <div>
        <label htmlFor={id} className="toggle-label">
          {label}
        </label>
        {hint && (
          <p className="field-hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
      </div>
    </div>
  );
};

/** Label/value pairs in a compact grid. */
export const DescriptionList = ({ items }: { items: readonly { label: ReactNode; value: ReactNode; key?: string }[] }) => (
  <dl className="dl">
    {items.map((it, i) => (
      <div className="dl-row" key={it.key ?? i}>
        <dt>{it.label}</dt>
        <dd>{it.value === '' || it.value === null || it.value === undefined ? <span className="muted">—</span> : it.value}</dd>
      </div>
    ))}
  </dl>
);

export const Notice = ({ tone = 'success', children, onClose }: { tone?: 'success' | 'info' | 'warning'; children: ReactNode; onClose?: () => void }) => {
  const { t } = useTranslation();
  return (
    <div className={`banner banner-${tone}`} role="status">
      <Icon name={tone === 'success' ? 'check' : tone === 'warning' ? 'alert' : 'info'} className="banner-icon" />
      <div className="banner-body">{children}</div>
      {onClose && (
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('action.dismiss')}>
          <Icon name="close" size={16} />
        </button>
      )}
    </div>
  );
};
