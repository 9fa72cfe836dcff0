import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, asApiError } from './api/api-error';
import { request } from './api/graphql-client';
import { MeQuery, type Me } from './api/operations/accounts';
import { ErrorBanner } from './components/error-banner';
import { Layout } from './components/layout';
import { ApiKeysPage } from './pages/api-keys-page';
import { AuditPage } from './pages/audit-page';
import { BillingPage } from './pages/billing-page';
import { DashboardPage } from './pages/dashboard-page';
import { JobsPage } from './pages/jobs-page';
import { LogInPage } from './pages/log-in-page';
import { ModelDetailPage } from './pages/model-detail-page';
import { ModelsPage } from './pages/models-page';
import { OrganizationPage } from './pages/organization-page';
import { PlaygroundPage } from './pages/playground-page';
import { ResetPasswordPage } from './pages/reset-password-page';
import { SignUpPage } from './pages/sign-up-page';
import { TrainingPage } from './pages/training-page';
import { VerifyEmailPage } from './pages/verify-email-page';
import { navigate, useLocation } from './router/router';
import { SessionContext } from './session/session-context';

function signedInPage(path: string): { title: string; page: ReactNode } {
  if (path === '/') return { title: 'Dashboard', page: <DashboardPage /> };
  if (path === '/keys') return { title: 'API keys', page: <ApiKeysPage /> };
  if (path === '/models') return { title: 'Models', page: <ModelsPage /> };
  if (path.startsWith('/models/')) {
    const name = decodeURIComponent(path.slice('/models/'.length));
    return { title: `Model ${name}`, page: <ModelDetailPage name={name} /> };
  }
  if (path === '/playground') return { title: 'Playground', page: <PlaygroundPage /> };
  if (path === '/jobs') return { title: 'Jobs', page: <JobsPage /> };
  if (path === '/training') return { title: 'Training', page: <TrainingPage /> };
  if (path === '/billing') return { title: 'Billing', page: <BillingPage /> };
  if (path === '/audit') return { title: 'Audit log', page: <AuditPage /> };
  if (path === '/organization') return { title: 'Organization', page: <OrganizationPage /> };
  return { title: 'Not found', page: <p>There is no page at {path}.</p> };
}

/** The pages e-mailed links open (they work signed in or not). */
const ACCOUNT_PAGES: Record<string, string> = {
  '/verify-email': 'Confirm e-mail',
  '/reset-password': 'Reset password',
};

/** Loads the session, then shows the sign-in pages or the portal. */
export function App() {
  const { path } = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<ApiError>();

  const refresh = useCallback(async () => {
    try {
      setMe((await request(MeQuery, {})).me);
      setError(undefined);
    } catch (err) {
      setError(asApiError(err));
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Each page names itself in the tab title, for history and for screen readers.
  useEffect(() => {
    const title = ACCOUNT_PAGES[path] ?? (me ? signedInPage(path).title : path === '/signup' ? 'Sign up' : 'Log in');
    window.document.title = `${title} · Model service`;
  }, [me, path]);

  if (error && me === undefined) {
    return (
      <main className="centered">
        <ErrorBanner error={error} title="The portal cannot reach the API" />
        <button type="button" onClick={() => void refresh()}>
          Try again
        </button>
      </main>
    );
  }
  if (me === undefined)
    return (
      <p className="centered" aria-busy="true">
        Loading…
      </p>
    );
  // The e-mailed links work whether or not this browser is signed in.
  if (path === '/verify-email') return <VerifyEmailPage onVerified={refresh} />;
  if (path === '/reset-password') return <ResetPasswordPage />;
  if (!me) {
    const onSignedIn = async () => {
      await refresh();
      if (path === '/login' || path === '/signup') navigate('/', { replace: true });
    };
    return path === '/signup' ? <SignUpPage onSignedIn={onSignedIn} /> : <LogInPage onSignedIn={onSignedIn} />;
  }
  if (path === '/login' || path === '/signup') {
    navigate('/', { replace: true });
    return null;
  }
  const { title, page } = signedInPage(path);
  return (
    <SessionContext.Provider value={{ me, refresh }}>
      {/* A different organization is a different world: remount the pages so nothing stale shows. */}
      <Layout key={me.currentTenantId ?? 'none'} path={path} title={title}>
        {page}
      </Layout>
    </SessionContext.Provider>
  );
}
