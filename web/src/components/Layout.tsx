import { useEffect, useRef, useState } from 'react';
import { NavLink, Navigate, Outlet, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../session.tsx';
import { Icon, type IconName } from './Icon.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

const NAV: { to: string; key: string; icon: IconName }[] = [
  { to: '/app/overview', key: 'nav.overview', icon: 'overview' },
  { to: '/app/accounts', key: 'nav.accounts', icon: 'accounts' },
  { to: '/app/debtors', key: 'nav.debtors', icon: 'debtors' },
  { to: '/app/contacts', key: 'nav.contacts', icon: 'schedule' },
  { to: '/app/runs', key: 'nav.runs', icon: 'runs' },
  { to: '/app/imports', key: 'nav.imports', icon: 'imports' },
  { to: '/app/inbox', key: 'nav.inbox', icon: 'inbox' },
];

/** `tk_live_abcdef…wxyz` -> `tk_…wxyz`: enough to tell keys apart, never the secret. */
const maskKey = (k: string) => `${k.slice(0, 3)}…${k.slice(-4)}`;

/** The signed-in frame: sidebar navigation (a drawer on phones), the page, and the session. */
export const Layout = () => {
  const { t } = useTranslation();
  const { apiKey, signOut } = useSession();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const firstPage = useRef(true);

  // A new page: close the drawer, start at the top, and move focus to the page for screen
  // readers. Not on the first load, where the skip link must stay the first tab stop.
  useEffect(() => {
    setMenuOpen(false);
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);

  if (!apiKey) return <Navigate to="/app/sign-in" replace state={{ from: location.pathname + location.search }} />;

  return (
    <div className={menuOpen ? 'shell menu-open' : 'shell'}>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <button type="button" className="icon-btn" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((o) => !o)}>
          <Icon name={menuOpen ? 'close' : 'menu'} label={t('nav.menu')} />
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">T</span>Tacto
        </span>
      </header>
      <aside id="sidebar" className="sidebar">
        <div className="brand sidebar-brand">
          <span className="brand-mark" aria-hidden="true">T</span>
          <span>Tacto</span>
          <span className="brand-sub">{t('app.console')}</span>
        </div>
        <nav aria-label={t('nav.main')}>
          <ul className="nav-list">
            {NAV.map((n) => (
              <li key={n.to}>
                <NavLink to={n.to} className={({ isActive }) => (isActive ? 'nav-link is-active' : 'nav-link')}>
                  <Icon name={n.icon} />
                  {t(n.key)}
                </NavLink>
              </li>
            ))}
            <li>
              <a className="nav-link" href="/api/docs/" target="_blank" rel="noopener">
                <Icon name="docs" />
                {t('nav.apiDocs')}
                <Icon name="external" size={14} className="nav-external" />
                <span className="visually-hidden">{t('common.opensNewTab')}</span>
              </a>
            </li>
          </ul>
        </nav>
        <div className="sidebar-footer">
          <LanguageSwitch />
          <div className="session-row">
            <span className="session-key" title={t('nav.signedInWith')}>
              <Icon name="key" size={15} />
              <span className="mono">{maskKey(apiKey)}</span>
            </span>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => signOut('manual')}>
              <Icon name="logout" size={16} />
              {t('nav.signOut')}
            </button>
          </div>
        </div>
      </aside>
      <div className="scrim" onClick={() => setMenuOpen(false)} aria-hidden="true" />
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
};
