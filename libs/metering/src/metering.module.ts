import { Global, Module } from '@nestjs/common';
import { MeteringService } from './metering.service';
import { UsageCsvController } from './usage-csv.controller';
import { UsageQueryService } from './usage-query.service';
import { UsageResolver } from './usage.resolver';
import { UsageRollupService } from './usage-rollup.service';

@Global()
@Module({
  controllers: [UsageCsvController],
  providers: [MeteringService, UsageQueryService, UsageResolver, UsageRollupService],
  exports: [MeteringService, UsageQueryService, UsageRollupService],
})
export class MeteringModule {}
