import { useState, type FormEvent } from 'react';
import { SetModelAliasMutation, type ModelVersion } from '../../api/operations/models';
import { useMutation } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';

/** Points an alias (stable, canary, …) at a version: promotion and rollback are the same move. */
export function AliasForm({
  model,
  versions,
  onSaved,
}: {
  model: string;
  versions: ModelVersion[];
  onSaved: () => void;
}) {
  const ready = versions.filter((v) => v.status === 'READY');
  const [alias, setAlias] = useState('stable');
  const [version, setVersion] = useState(ready[0]?.version ?? 1);
  const setModelAlias = useMutation(SetModelAliasMutation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await setModelAlias.run({ input: { model, alias, version } })) onSaved();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Move an alias">
      <label>
        Alias <input value={alias} required onChange={(e) => setAlias(e.target.value)} />
      </label>
      <label>
        Version{' '}
        <select value={version} onChange={(e) => setVersion(Number(e.target.value))}>
          {ready.map((v) => (
            <option key={v.version} value={v.version}>
              {v.version}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={setModelAlias.busy || ready.length === 0}>
        Point alias
      </button>
      <ErrorBanner error={setModelAlias.error} />
    </form>
  );
}
