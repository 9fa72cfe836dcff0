import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, asApiError } from './api-error';
import { request } from './graphql-client';
import type { Operation } from './operation';

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Runs a query when the variables change (compared as JSON); `skip` holds it back. `data` is
 * always the answer to the current variables: an answer to the previous ones (another grouping,
 * another page) is never shown under the new ones.
 */
export function useQuery<TData, TVariables>(
  op: Operation<TData, TVariables>,
  variables: TVariables,
  options: { skip?: boolean } = {},
): QueryState<TData> {
  const [answer, setAnswer] = useState<{ key: string; data: TData }>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(!options.skip);
  const key = JSON.stringify(variables);
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const result = await request(op, JSON.parse(key) as TVariables);
      if (ticket === latest.current) {
        setAnswer({ key, data: result });
        setError(undefined);
      }
    } catch (err) {
      if (ticket === latest.current) setError(asApiError(err));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [op, key]);

  useEffect(() => {
    if (!options.skip) void reload();
  }, [reload, options.skip]);

  return { data: answer?.key === key ? answer.data : undefined, error, loading, reload };
}

export interface MutationState<TData, TVariables> {
  run: (variables: TVariables) => Promise<TData | undefined>;
  error: ApiError | undefined;
  busy: boolean;
  clearError: () => void;
}

/** A mutation whose failure is kept for display; `run` resolves undefined when it failed. */
export function useMutation<TData, TVariables>(op: Operation<TData, TVariables>): MutationState<TData, TVariables> {
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (variables: TVariables) => {
      setBusy(true);
      setError(undefined);
      try {
        return await request(op, variables);
      } catch (err) {
        setError(asApiError(err));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [op],
  );
  return { run, error, busy, clearError: () => setError(undefined) };
}
