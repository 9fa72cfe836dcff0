// One Lambda container's life, as the Node.js runtime drives it: load the handler module, then
// invoke it with API Gateway HTTP API v2 events. performance.now() counts from process start,
// so the first figure includes Node's own start, as a Lambda cold start does.
const path = require('node:path');
const ROOT = path.resolve(__dirname, '../../..');

const event = (method, rawPath, body) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath,
  rawQueryString: '',
  headers: {
    host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'content-type': 'application/json',
    'x-forwarded-proto': 'https',
  },
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123',
    domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'bench' },
    requestId: `r${Date.now()}`,
    routeKey: '$default',
    stage: '$default',
    timeEpoch: Date.now(),
  },
  ...(body ? { body: Buffer.from(body).toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
});
const context = { awsRequestId: 'bench', functionName: 'mas-api', getRemainingTimeInMillis: () => 29_000 };

async function main() {
  const { handler } = require(path.join(ROOT, 'dist/apps/api/src/lambda.js'));
  const loaded = performance.now();
  const first = await handler(event('GET', '/healthz'), context);
  if (first.statusCode !== 200) throw new Error(`first answer ${first.statusCode}: ${first.body}`);
  const firstAt = performance.now();
  const gql = JSON.stringify({ query: '{ __typename }' });
  const t = performance.now();
  const second = await handler(event('POST', '/graphql', gql), context);
  if (second.statusCode !== 200) throw new Error(`graphql ${second.statusCode}: ${second.body}`);
  const warm = performance.now() - t;
  process.stdout.write(JSON.stringify({ loaded, firstAt, warm }) + '\n');
  process.exit(0);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
