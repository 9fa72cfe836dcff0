/**
 * URL prefixes that belong to the API, never to the portal: an unknown GET under them is a
 * JSON 404, not the portal's index.html.
 */
export const API_PREFIXES = [
  '/graphql',
  '/graphiql',
  '/v1',
  '/v2',
  '/webhooks',
  '/healthz',
  '/readyz',
  '/metrics',
  '/uploads',
  '/storage',
];

export function isApiPath(pathname: string): boolean {
  return API_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`) || pathname.startsWith(`${p}:`));
}

/**
 * Where else the portal's pages may connect: the artifact bucket, which browsers PUT presigned
 * uploads to in S3 mode (its endpoint when set, else S3's virtual-hosted origin of the bucket).
 */
export function uploadOrigins(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.ARTIFACT_STORE !== 's3' || !env.ARTIFACT_BUCKET) return [];
  if (env.ARTIFACT_S3_ENDPOINT) return [new URL(env.ARTIFACT_S3_ENDPOINT).origin];
  const region = env.ARTIFACT_S3_REGION || env.AWS_REGION || 'us-east-1';
  return [`https://${env.ARTIFACT_BUCKET}.s3.${region}.amazonaws.com`];
}

/** Security headers for the portal's HTML: no framing, scripts and styles only from this origin. */
export const PORTAL_HTML_HEADERS: Record<string, string> = {
  'cache-control': 'no-cache',
  'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src ${["'self'", ...uploadOrigins()].join(' ')}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
};

export const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portal not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>The portal is not built yet</h1>
<p>Run <code>npm run build:portal</code> and reload this page. The API itself is up: GraphQL is at <a href="/graphql">/graphql</a>.</p>
</body></html>
`;
