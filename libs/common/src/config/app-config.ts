import { z } from 'zod';
import { requiredInProduction } from './settings-contract';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

// Every setting the platform reads from the environment, with its default. README.md lists
// them; a wrong value stops the process at start with the name of the variable.
export const appConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  // Which proxies may set X-Forwarded-For: unset trusts none (the socket's address is the
  // client's, so per-address limits cannot be dodged with a header); "1" trusts any; or a
  // comma-separated list of addresses/CIDRs (e.g. the load balancer's subnet).
  TRUST_PROXY: z.string().optional(),
  // Set: /metrics needs "Authorization: Bearer <token>"; unset: it answers loopback callers only.
  METRICS_TOKEN: z.string().min(16).optional(),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./.data'),
  DATABASE_URL: requiredInProduction(z.string().url().optional()),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(10),
  REDIS_URL: requiredInProduction(z.string().url().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  // API keys: how long a verified key stays cached in each process. Revocation is immediate
  // in the revoking process and reaches the others through Redis pub/sub, or within this TTL.
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),
  COOKIE_SECURE: bool.optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).default(15),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(10).default(5_000),
  GRAPHQL_INTROSPECTION: bool.optional(),
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  // The AWS SDK's region (S3 and SQS adapters); Lambda sets it itself, ECS on EC2 gets it from infra.
  AWS_REGION: z.string().optional(),
});

export type AppConfig = z.infer<typeof appConfigSchema> & {
  isProduction: boolean;
  cookieSecure: boolean;
  introspection: boolean;
  trustProxy: boolean | string[];
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = appConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const isProduction = c.NODE_ENV === 'production';
  return {
    ...c,
    isProduction,
    cookieSecure: c.COOKIE_SECURE ?? isProduction,
    introspection: c.GRAPHQL_INTROSPECTION ?? !isProduction,
    trustProxy: !c.TRUST_PROXY
      ? false
      : ['1', 'true'].includes(c.TRUST_PROXY)
        ? true
        : c.TRUST_PROXY.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
  };
}
