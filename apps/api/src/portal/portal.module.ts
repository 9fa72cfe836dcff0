import path from 'node:path';
import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { startupProfile } from '@app/common';
import { findRepoRoot } from '@app/db';
import { registerPortalStatic } from './portal-static';

/**
 * The self-service portal (apps/portal, built by `npm run build:portal`) at /. Plain Fastify
 * routes, not a Nest controller: they carry no API semantics, so the auth guard is not involved,
 * and the portal authenticates through /graphql like any other client.
 */
@Module({})
export class PortalModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter?.getInstance() as FastifyInstance | undefined;
    if (!fastify) return;
    const root = path.join(repoRootOrCwd(), 'apps', 'portal', 'dist');
    // Encapsulated: the static plugin's decorators stay inside the portal's own context.
    await startupProfile.time('portal: static assets', () =>
      fastify.register(async (scope) => registerPortalStatic(scope, root)),
    );
  }
}

/** An image without the prisma folder (e.g. a slim Lambda bundle) must still boot: the portal then says it is not built. */
function repoRootOrCwd(): string {
  try {
    return findRepoRoot();
  } catch {
    return process.cwd();
  }
}
