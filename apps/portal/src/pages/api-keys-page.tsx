import { useState } from 'react';
import {
  ApiKeysQuery,
  RevokeApiKeyMutation,
  RotateApiKeyMutation,
  type CreatedApiKey,
} from '../api/operations/api-keys';
import { useMutation, useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { Pager } from '../components/pager';
import { ApiKeyTable } from './api-keys/api-key-table';
import { CreateApiKeyForm } from './api-keys/create-api-key-form';
import { SecretOnce } from './api-keys/secret-once';

const PAGE = 20;

export function ApiKeysPage() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const keys = useQuery(ApiKeysQuery, { first: PAGE, after });
  const [created, setCreated] = useState<CreatedApiKey>();
  const rotate = useMutation(RotateApiKeyMutation);
  const revoke = useMutation(RevokeApiKeyMutation);

  const onCreated = (key: CreatedApiKey) => {
    setCreated(key);
    void keys.reload();
  };
  const onRotate = async (id: string) => {
    const res = await rotate.run({ id });
    if (res) onCreated(res.rotateApiKey);
  };
  const onRevoke = async (id: string, name: string) => {
    if (!window.confirm(`Revoke the key "${name}"? Calls made with it will fail at once.`)) return;
    if (await revoke.run({ id })) void keys.reload();
  };

  return (
    <>
      <p className="lede">
        Keys let your code call models. A key is shown once, when it is created or rotated; we keep only its hash. Last
        use is recorded within about half a minute.
      </p>
      {created ? <SecretOnce created={created} onDone={() => setCreated(undefined)} /> : null}
      <CreateApiKeyForm onCreated={onCreated} />
      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">Your keys</h2>
        <ErrorBanner error={keys.error ?? rotate.error ?? revoke.error} />
        {keys.data ? (
          <>
            <ApiKeyTable
              keys={keys.data.apiKeys.edges.map((e) => e.node)}
              onRotate={onRotate}
              onRevoke={onRevoke}
              busy={rotate.busy || revoke.busy}
            />
            <Pager
              total={keys.data.apiKeys.totalCount}
              hasNext={keys.data.apiKeys.pageInfo.hasNextPage}
              atFirst={cursors.length === 1}
              onFirst={() => setCursors([null])}
              onNext={() => setCursors([...cursors, keys.data!.apiKeys.pageInfo.endCursor])}
            />
          </>
        ) : keys.loading ? (
          <p aria-busy="true">Loading keys…</p>
        ) : null}
      </section>
    </>
  );
}
