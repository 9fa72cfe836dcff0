/**
 * A GraphQL operation document carrying its result and variable types, so that a call site
 * cannot send the wrong variables or read a field it did not select. The documents are checked
 * against apps/api/schema.gql by test/e2e/portal-operations.e2e-spec.ts.
 */
export interface Operation<TData, TVariables> {
  readonly name: string;
  readonly document: string;
  /** Never set: carries the types only. */
  readonly __types?: { data: TData; variables: TVariables };
}

export type DataOf<O> = O extends Operation<infer D, unknown> ? D : never;
export type VariablesOf<O> = O extends Operation<unknown, infer V> ? V : never;

export function operation<TData, TVariables = Record<string, never>>(document: string): Operation<TData, TVariables> {
  const name = /(?:query|mutation)\s+(\w+)/.exec(document)?.[1];
  if (!name) throw new Error('every portal operation is named');
  return { name, document };
}

/** Shapes the API uses for lists. */
export interface Connection<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}
