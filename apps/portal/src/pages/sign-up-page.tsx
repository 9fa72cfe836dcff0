import { useState, type FormEvent } from 'react';
import { SignUpMutation } from '../api/operations/accounts';
import { useMutation } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { TextField } from '../components/text-field';
import { Link } from '../router/link';
import { useLocation } from '../router/router';

/** Creates an account with a new organization, or joins one with ?invitation=<token>. */
export function SignUpPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const invitationToken = useLocation().query.get('invitation') ?? undefined;
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [tenantName, setTenantName] = useState('');
  const signUp = useMutation(SignUpMutation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = {
      email,
      password,
      name: name || undefined,
      ...(invitationToken ? { invitationToken } : { tenantName }),
    };
    if (await signUp.run({ input })) await onSignedIn();
  };
  return (
    <main className="auth-card">
      <h1>Create your account</h1>
      {invitationToken ? <p>You are joining an organization you were invited to.</p> : null}
      <form onSubmit={submit}>
        <TextField
          label="E-mail"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <TextField label="Your name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters, mixing letters, digits and symbols."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {invitationToken ? null : (
          <TextField
            label="Organization name"
            required
            value={tenantName}
            onChange={(e) => setTenantName(e.target.value)}
          />
        )}
        <ErrorBanner error={signUp.error} />
        <button type="submit" disabled={signUp.busy}>
          {signUp.busy ? 'Creating…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already have an account? <Link href="/login">Log in</Link>
      </p>
    </main>
  );
}
