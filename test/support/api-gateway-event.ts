import { randomUUID } from 'node:crypto';

/**
 * An API Gateway HTTP API event in payload format 2.0, in the shape AWS documents
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
 * lower-case headers, cookies split out of the Cookie header into `cookies`, the query string
 * both raw and parsed, and a body that API Gateway base64-encodes when asked to (`base64`).
 */
export interface HttpApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string | Buffer;
  base64?: boolean;
}

export function httpApiV2Event(req: HttpApiRequest) {
  const rawQueryString = new URLSearchParams(req.query ?? {}).toString();
  const headers: Record<string, string> = {
    accept: '*/*',
    host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'lambda-test',
    'x-amzn-trace-id': `Root=1-${Date.now().toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const bytes =
    req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.path,
    rawQueryString,
    ...(req.cookies?.length ? { cookies: req.cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters: req.query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: req.method,
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'lambda-test',
      },
      requestId: `${randomUUID().slice(0, 8)}=`,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(bytes ? { body: req.base64 ? bytes.toString('base64') : bytes.toString('utf8') } : {}),
    isBase64Encoded: Boolean(bytes && req.base64),
  };
}

/** The Lambda context object the Node.js runtime passes as the handler's second argument. */
export function lambdaContext() {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'mas-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:mas-api',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/mas-api',
    logStreamName: `2026/12/01/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => 29_000,
  };
}

export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded?: boolean;
}

/** The response body's bytes, decoded as API Gateway would before sending them to the client. */
export const bodyBytes = (r: HttpApiResult) => Buffer.from(r.body ?? '', r.isBase64Encoded ? 'base64' : 'utf8');
export const bodyJson = (r: HttpApiResult) => JSON.parse(bodyBytes(r).toString('utf8'));
