import { Module } from '@nestjs/common';
import { ModelsModule } from '@app/models/models.module';
import { METERING_PORT, QUOTA_PORT } from './billing-ports';
import { PredictionService } from './prediction.service';
import { TenantSettings } from './tenant-settings';

/**
 * PredictionService with its collaborators. Lives in libs/inference/src/prediction and is
 * imported as `@app/inference/prediction` (not re-exported from `@app/inference`, which
 * @app/models itself imports). QUOTA_PORT / METERING_PORT are bound to QuotaService and
 * MeteringService (libs/quotas, libs/metering).
 */
@Module({
  imports: [ModelsModule],
  providers: [
    PredictionService,
    TenantSettings,
    { provide: QUOTA_PORT, useFactory: () => { throw new Error('QuotaService not wired yet'); } },
    { provide: METERING_PORT, useFactory: () => { throw new Error('MeteringService not wired yet'); } },
  ],
  exports: [PredictionService, ModelsModule],
})
export class PredictionModule {}
