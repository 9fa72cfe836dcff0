/**
 * Fastify's and Mercurius's error codes are theirs, not the platform's: clients get these
 * stable reasons instead (CONTRACT.md: extensions.reason is the platform's own).
 */
const REASONS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_VALIDATION: 'INVALID_INPUT',
  MER_ERR_GQL_VALIDATION: 'GRAPHQL_VALIDATION_FAILED',
  MER_ERR_INVALID_METHOD: 'METHOD_NOT_ALLOWED',
  MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND: 'BAD_REQUEST',
};

export function platformReason(status: number, frameworkCode: string | undefined): string {
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (frameworkCode && REASONS[frameworkCode]) return REASONS[frameworkCode];
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  return 'BAD_REQUEST';
}
