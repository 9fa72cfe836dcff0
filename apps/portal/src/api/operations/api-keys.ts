import { Connection, operation } from '../operation';

export const SCOPES = [
  'inference:run',
  'models:read',
  'models:write',
  'usage:read',
  'billing:read',
  'audit:read',
  'keys:write',
  'admin',
] as const;

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  secret: string;
}

const KEY_FIELDS = `id name prefix scopes createdAt lastUsedAt expiresAt revokedAt`;

export const ApiKeysQuery = operation<{ apiKeys: Connection<ApiKey> }, { first: number; after?: string | null }>(
  `query ApiKeys($first: Int, $after: String) { apiKeys(first: $first, after: $after) { edges { cursor node { ${KEY_FIELDS} } } pageInfo { hasNextPage endCursor } totalCount } }`,
);

export const CreateApiKeyMutation = operation<
  { createApiKey: CreatedApiKey },
  { input: { name: string; scopes: string[]; expiresAt?: string | null } }
>(
  `mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { ${KEY_FIELDS} } } }`,
);

export const RotateApiKeyMutation = operation<{ rotateApiKey: CreatedApiKey }, { id: string }>(
  `mutation RotateApiKey($id: ID!) { rotateApiKey(id: $id) { secret apiKey { ${KEY_FIELDS} } } }`,
);

export const RevokeApiKeyMutation = operation<{ revokeApiKey: ApiKey }, { id: string }>(
  `mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { ${KEY_FIELDS} } }`,
);
