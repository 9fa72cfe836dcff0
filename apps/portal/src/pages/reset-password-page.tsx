import { useState, type FormEvent } from 'react';
import { RequestPasswordResetMutation, ResetPasswordMutation } from '../api/operations/accounts';
import { useMutation } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { TextField } from '../components/text-field';
import { Link } from '../router/link';
import { useLocation } from '../router/router';

/**
 * /reset-password: without a token, asks for the link (the answer is the same whether or not
 * the address has an account); with ?token=... from the e-mail, sets the new password.
 */
export function ResetPasswordPage() {
  const token = useLocation().query.get('token');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [finished, setFinished] = useState(false);
  const request = useMutation(RequestPasswordResetMutation);
  const reset = useMutation(ResetPasswordMutation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = token ? await reset.run({ token, password }) : await request.run({ email });
    if (ok) setFinished(true);
  };
  if (finished) {
    return (
      <main className="auth-card">
        <h1>{token ? 'Password changed' : 'Check your e-mail'}</h1>
        <p role="status">
          {token
            ? 'Your new password is set, and every session of your account was signed out.'
            : `If ${email} has an account, a link to choose a new password is on its way.`}
        </p>
        <p>
          <Link href="/login">Log in</Link>
        </p>
      </main>
    );
  }
  return (
    <main className="auth-card">
      <h1>Reset your password</h1>
      <form onSubmit={submit}>
        {token ? (
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            minLength={10}
            hint="At least 10 characters, mixing letters, digits and symbols."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        ) : (
          <TextField
            label="E-mail"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
        <ErrorBanner error={token ? reset.error : request.error} />
        <button type="submit" disabled={reset.busy || request.busy}>
          {token ? 'Set new password' : 'Send me a link'}
        </button>
      </form>
      <p>
        <Link href="/login">Back to log in</Link>
      </p>
    </main>
  );
}
