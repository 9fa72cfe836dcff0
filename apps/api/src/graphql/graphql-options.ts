import path from 'node:path';
import { MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import type { AppConfig } from '@app/common';
import { findRepoRoot } from '@app/db';
import { formatExecutionErrors } from './error-formatter';
import { noNulInStringsRule } from '../http/input-hygiene';

/**
 * Mercurius with graphql-jit (chosen over Apollo by measurement: test/bench/graphql-servers).
 * Hardening: depth, alias and cost limits run as validation rules before execution; no
 * introspection and no GraphiQL in production; batched queries off.
 */
export function graphqlOptions(config: AppConfig): MercuriusDriverConfig {
  const rules = [
    noNulInStringsRule,
    maxDepthRule({ n: config.GRAPHQL_MAX_DEPTH, exposeLimits: true }),
    maxAliasesRule({ n: config.GRAPHQL_MAX_ALIASES, exposeLimits: true }),
    costLimitRule({ maxCost: config.GRAPHQL_MAX_COST, exposeLimits: true }),
    ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
  return {
    path: '/graphql',
    // The committed schema is regenerated in development; production builds it in memory.
    autoSchemaFile: config.isProduction ? true : path.join(findRepoRoot(), 'apps/api/schema.gql'),
    sortSchema: true,
    graphiql: !config.isProduction,
    jit: 1,
    allowBatchedQueries: false,
    validationRules: rules,
    context: (req: FastifyRequest, reply: FastifyReply) => ({ req, reply }),
    errorFormatter: (execution, context) => {
      const requestId = String((context as unknown as { reply?: FastifyReply }).reply?.request?.id ?? '');
      return formatExecutionErrors(execution as { data?: unknown; errors: GraphQLError[] }, requestId);
    },
  };
}
