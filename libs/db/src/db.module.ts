import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/common';
import { createPrismaService } from './database.factory';
import { loadDbConfig } from './db.config';
import { PrismaService } from './prisma.service';
import { TenantPrisma } from './tenant-prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: PrismaService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createPrismaService(config, { migrate: loadDbConfig().autoMigrate }),
    },
    TenantPrisma,
  ],
  exports: [PrismaService, TenantPrisma],
})
export class DbModule {}
