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
  // The address the link went to, once the server answered without starting a session.
  const [sentTo, setSentTo] = useState<string>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input = {
      email,
      password,
      name: name || undefined,
      ...(invitationToken ? { invitationToken } : { tenantName }),
    };
    const result = await signUp.run({ input });
    if (!result) return;
    // The answer is the same whether or not the address already had an account: say only that.
    if (result.signUp.signedIn) await onSignedIn();
    else setSentTo(email);
  };
  if (sentTo) {
    return (
      <main className="auth-card">
        <h1>Check your e-mail</h1>
        <p role="status">
          We sent a message to <strong>{sentTo}</strong>. Open the link in it to confirm your address and log in.
        </p>
        <p>If this address already has an account, the message tells you how to log in or reset your password.</p>
        <p>
          <Link href="/login">Back to log in</Link>
        </p>
      </main>
    );
  }
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
