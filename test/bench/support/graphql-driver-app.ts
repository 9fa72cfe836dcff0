import { Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import { ConfigModule, MetricsModule, ReadinessModule, RedisModule } from '@app/common';
import { DbModule } from '@app/db';
import { AuditModule } from '@app/audit';
import { TenancyModule } from '@app/tenancy';
import { ApiKeysModule } from '@app/api-keys';
import { AuthGuard } from '../../../apps/api/src/auth/auth.guard';
import { AuthenticationService } from '../../../apps/api/src/auth/authentication.service';

/**
 * The same accounts and API-key modules and the same auth guard under either GraphQL driver,
 * to choose between Mercurius (+ graphql-jit) and Apollo by measurement.
 */
export async function createDriverApp(driver: 'mercurius' | 'apollo'): Promise<NestFastifyApplication> {
  const graphql =
    driver === 'mercurius'
      ? GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          autoSchemaFile: true,
          jit: 1,
          context: (req: unknown, reply: unknown) => ({ req, reply }),
        })
      : GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          context: ({ request, reply }: { request: unknown; reply: unknown }) => ({ req: request, reply }),
        });

  @Module({
    imports: [
      ConfigModule,
      MetricsModule,
      ReadinessModule,
      RedisModule,
      DbModule,
      AuditModule,
      graphql,
      TenancyModule,
      ApiKeysModule,
    ],
    providers: [AuthenticationService, { provide: APP_GUARD, useClass: AuthGuard }],
  })
  class DriverBenchModule {}

  const app = await NestFactory.create<NestFastifyApplication>(
    DriverBenchModule,
    new FastifyAdapter({ genReqId: () => 'bench' }),
    { logger: false },
  );
  await app.register(fastifyCookie as never);
  await app.init();
  return app;
}
