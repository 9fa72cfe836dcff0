import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import {
  APP_CONFIG,
  AppConfig,
  ConfigModule,
  LoggingModule,
  MetricsModule,
  ReadinessModule,
  RedisModule,
} from '@app/common';
import { DbModule } from '@app/db';
import { AuditModule } from '@app/audit';
import { TenancyModule } from '@app/tenancy';
import { ApiKeysModule } from '@app/api-keys';
import { QuotasModule } from '@app/quotas';
import { MeteringModule } from '@app/metering';
import { BillingModule } from '@app/billing';
import { LedgerModule } from '@app/ledger';
import { ServingModule } from '@app/serving';
import { DutiesModule } from '@app/duties';
import { JobsModule } from '@app/jobs';
import { MonitoringModule } from '@app/monitoring';
import { TrainingModule } from '@app/training';
import { LiveBackupModule } from '@app/backup';
import { AuthGuard } from './auth/auth.guard';
import { AppErrorFilter } from './http/app-error.filter';
import { AuthenticationService } from './auth/authentication.service';
import { DenialRecorder } from './auth/denial-recorder.service';
import { graphqlOptions } from './graphql/graphql-options';
import { HealthController } from './health/health.controller';
import { CoreReadiness } from './health/core-readiness';
import { PortalModule } from './portal';

@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    MetricsModule,
    ReadinessModule,
    RedisModule,
    DbModule,
    AuditModule,
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusDriver,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => graphqlOptions(config),
    }),
    TenancyModule,
    ApiKeysModule,
    PortalModule,
    QuotasModule,
    MeteringModule,
    BillingModule,
    LedgerModule,
    ServingModule,
    MonitoringModule,
    JobsModule,
    DutiesModule,
    TrainingModule,
    LiveBackupModule,
  ],
  controllers: [HealthController],
  providers: [
    AuthenticationService,
    DenialRecorder,
    CoreReadiness,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: AppErrorFilter },
  ],
})
export class AppModule {}
