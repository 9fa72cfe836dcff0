import { useState, type FormEvent } from 'react';
import { CreateModelMutation, ModelsQuery } from '../api/operations/models';
import { useMutation, useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { Pager } from '../components/pager';
import { TextField } from '../components/text-field';
import { Link } from '../router/link';
import { navigate } from '../router/router';

export function ModelsPage() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const models = useQuery(ModelsQuery, { first: 50, after: cursors[cursors.length - 1] });
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [task, setTask] = useState('tabular-classification');
  const create = useMutation(CreateModelMutation);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await create.run({ input: { name, description, task } });
    if (res) navigate(`/models/${encodeURIComponent(res.createModel.name)}`);
  };
  return (
    <>
      <p className="lede">
        The public catalog and your own models. Open one for its versions, evaluation metrics and aliases.
      </p>
      <ErrorBanner error={models.error} />
      {models.data ? (
        <>
          <ul className="model-grid">
            {models.data.models.edges.map(({ node }) => (
              <li key={node.name} className="card">
                <h2>
                  <Link href={`/models/${encodeURIComponent(node.name)}`}>{node.name}</Link>
                </h2>
                <p className="badge">{node.task}</p>
                <p>{node.description}</p>
              </li>
            ))}
          </ul>
          <Pager
            total={models.data.models.totalCount}
            hasNext={models.data.models.pageInfo.hasNextPage}
            atFirst={cursors.length === 1}
            onFirst={() => setCursors([null])}
            onNext={() => setCursors([...cursors, models.data!.models.pageInfo.endCursor])}
          />
        </>
      ) : models.loading ? (
        <p aria-busy="true">Loading models…</p>
      ) : null}
      <form className="card" onSubmit={submit} aria-labelledby="new-model-heading">
        <h2 id="new-model-heading">New model</h2>
        <TextField
          label="Model name"
          required
          pattern="[a-z0-9_-]{1,64}"
          hint="Lower-case letters, digits, - and _ (up to 64)."
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <TextField
          label="Task"
          required
          hint="e.g. tabular-classification, image-classification"
          value={task}
          onChange={(e) => setTask(e.target.value)}
        />
        <ErrorBanner error={create.error} />
        <button type="submit" disabled={create.busy}>
          Create model
        </button>
      </form>
    </>
  );
}
