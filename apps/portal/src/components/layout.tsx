import { useState, type ReactNode } from 'react';
import { request } from '../api/graphql-client';
import { LogOutMutation } from '../api/operations/accounts';
import { Link } from '../router/link';
import { useSession } from '../session/session-context';
import { OrganizationSwitcher } from './organization-switcher';

export const NAV = [
  { href: '/', label: 'Dashboard' },
  { href: '/keys', label: 'API keys' },
  { href: '/models', label: 'Models' },
  { href: '/playground', label: 'Playground' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/training', label: 'Training' },
  { href: '/billing', label: 'Billing' },
  { href: '/audit', label: 'Audit log' },
  { href: '/organization', label: 'Organization' },
];

/** Header, navigation and the page; the navigation folds into a menu button on a narrow screen. */
export function Layout({ path, title, children }: { path: string; title: string; children: ReactNode }) {
  const { me, refresh } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const logOut = async () => {
    await request(LogOutMutation, {}).catch(() => undefined);
    await refresh();
  };
  const active = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Model service</span>
        <button
          type="button"
          className="menu-button secondary"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <OrganizationSwitcher />
        <span className="user" title={me.email}>
          {me.email}
        </span>
        <button type="button" className="secondary" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      <nav id="main-nav" className={`sidebar ${menuOpen ? 'open' : ''}`} aria-label="Main">
        <ul>
          {NAV.map((item) => (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={active(item.href) ? 'page' : undefined}
                onClick={() => setMenuOpen(false)}
              >
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
