import { useState, type FormEvent } from 'react';
import { CreateApiKeyMutation, SCOPES, type CreatedApiKey } from '../../api/operations/api-keys';
import { useMutation } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';
import { TextField } from '../../components/text-field';

const DEFAULT_SCOPES = ['inference:run', 'models:read'];

export function CreateApiKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(DEFAULT_SCOPES);
  const [expires, setExpires] = useState('');
  const create = useMutation(CreateApiKeyMutation);

  const toggle = (scope: string) =>
    setScopes(scopes.includes(scope) ? scopes.filter((s) => s !== scope) : [...scopes, scope]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // A date picked in the form means "valid through that day", in the user's time zone.
    const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : null;
    const res = await create.run({ input: { name, scopes, expiresAt } });
    if (res) {
      setName('');
      setExpires('');
      setScopes(DEFAULT_SCOPES);
      onCreated(res.createApiKey);
    }
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">Create a key</h2>
      <TextField
        label="Key name"
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="e.g. production backend"
      />
      <fieldset>
        <legend>Scopes</legend>
        <div className="checks">
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} /> {scope}
            </label>
          ))}
        </div>
      </fieldset>
      <TextField
        label="Expires (optional)"
        type="date"
        value={expires}
        onChange={(e) => setExpires(e.target.value)}
        hint="Leave empty for a key that does not expire."
      />
      <ErrorBanner error={create.error} />
      <button type="submit" disabled={create.busy || scopes.length === 0}>
        {create.busy ? 'Creating…' : 'Create key'}
      </button>
    </form>
  );
}
