import { Global, Module } from '@nestjs/common';
import { MeteringService } from './metering.service';
import { UsageCsvController } from './usage-csv.controller';
import { UsageQueryService } from './usage-query.service';
import { UsageResolver } from './usage.resolver';

@Global()
@Module({
  controllers: [UsageCsvController],
  providers: [MeteringService, UsageQueryService, UsageResolver],
  exports: [MeteringService, UsageQueryService],
})
export class MeteringModule {}
