import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, ValidationContext, ASTVisitor } from 'graphql';
import { ErrorCode } from '@app/common';
import { restError } from './http-hooks';

const NUL_MESSAGE = 'NUL characters (\\u0000) are not allowed in any value';
const MAX_NODES = 1_000_000;

/**
 * True when a parsed JSON value holds a NUL character in any string or key. Iterative on
 * purpose: a deeply nested body must not overflow the stack of the check meant to stop it.
 */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  for (let seen = 0; stack.length && seen < MAX_NODES; seen++) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v && typeof v === 'object' && !Buffer.isBuffer(v) && !ArrayBuffer.isView(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

function refuse(req: FastifyRequest, reply: FastifyReply) {
  return reply.status(400).send(restError(ErrorCode.BAD_USER_INPUT, NUL_MESSAGE, 'NUL_CHARACTER', String(req.id)));
}

/**
 * NUL bytes reach PostgreSQL as "invalid byte sequence" (a 500) and confuse C-string consumers:
 * they are refused at the door, in the path and query string, in JSON bodies and (by the
 * GraphQL rule below) in string literals of a GraphQL document.
 */
export function installInputHygiene(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.toLowerCase().includes('%00') || req.url.includes('\u0000')) return refuse(req, reply);
  });
  app.addHook('preValidation', async (req, reply) => {
    const body = req.body;
    if (body !== undefined && !Buffer.isBuffer(body) && containsNul(body)) return refuse(req, reply);
  });
}

/** A validation rule: GraphQL string literals (which may spell NUL as \u0000) must not hold NUL. */
export function noNulInStringsRule(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node) {
      if (node.value.includes('\u0000')) {
        context.reportError(
          new GraphQLError(NUL_MESSAGE, {
            nodes: [node],
            extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'NUL_CHARACTER' },
          }),
        );
      }
    },
  };
}
