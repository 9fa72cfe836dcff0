import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/common';
import { createPrismaService } from './database.factory';
import { PrismaService } from './prisma.service';
import { TenantPrisma } from './tenant-prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: PrismaService,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createPrismaService(config, { migrate: process.env.AUTO_MIGRATE === '1' }),
    },
    TenantPrisma,
  ],
  exports: [PrismaService, TenantPrisma],
})
export class DbModule {}
