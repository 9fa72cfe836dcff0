import { useState, type FormEvent } from 'react';
import { LogInMutation } from '../api/operations/accounts';
import { useMutation } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { TextField } from '../components/text-field';
import { Link } from '../router/link';

export function LogInPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const logIn = useMutation(LogInMutation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await logIn.run({ input: { email, password } })) await onSignedIn();
  };
  return (
    <main className="auth-card">
      <h1>Log in</h1>
      <form onSubmit={submit}>
        <TextField
          label="E-mail"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ErrorBanner error={logIn.error} />
        <button type="submit" disabled={logIn.busy}>
          {logIn.busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        New here? <Link href="/signup">Create an account</Link>
      </p>
      <p>
        <Link href="/reset-password">Forgot your password?</Link>
      </p>
    </main>
  );
}
