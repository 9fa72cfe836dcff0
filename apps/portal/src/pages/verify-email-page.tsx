import { useEffect, useRef, useState } from 'react';
import { VerifyEmailMutation } from '../api/operations/accounts';
import { useMutation } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { Link } from '../router/link';
import { navigate, useLocation } from '../router/router';

/**
 * The link e-mailed at sign-up: <PUBLIC_URL>/verify-email?token=... Confirms the address, which
 * (SIGNUP_SESSION=after-verification) also logs in, then goes on to the portal.
 */
export function VerifyEmailPage({ onVerified }: { onVerified: () => Promise<void> }) {
  const token = useLocation().query.get('token') ?? '';
  const verify = useMutation(VerifyEmailMutation);
  const [done, setDone] = useState(false);
  // The token works once: React's development double effect must not send it twice.
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current || !token) return;
    sent.current = true;
    void (async () => {
      if (!(await verify.run({ token }))) return;
      setDone(true);
      await onVerified();
      navigate('/', { replace: true });
    })();
  }, [token, verify, onVerified]);
  return (
    <main className="auth-card">
      <h1>Confirm your e-mail</h1>
      {!token ? <p>This link has no token: open the link from the e-mail as it is.</p> : null}
      {token && !done && !verify.error ? <p aria-busy="true">Confirming your address…</p> : null}
      {done ? <p role="status">Your address is confirmed. Taking you to the portal…</p> : null}
      <ErrorBanner error={verify.error} />
      {verify.error ? (
        <p>
          Log in to have a new link sent, or <Link href="/login">go to log in</Link>.
        </p>
      ) : null}
    </main>
  );
}
