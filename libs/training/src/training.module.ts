import { Module } from '@nestjs/common';
import { ModelsModule } from '@app/models';
import { QueueModule } from '@app/queue';
import { DatasetFileStore } from './datasets/dataset-file-store';
import { DatasetResolver } from './datasets/dataset.resolver';
import { DatasetUploadController } from './datasets/dataset-upload.controller';
import { DatasetUploadService } from './datasets/dataset-upload.service';
import { DatasetService } from './datasets/dataset.service';
import { TRAINING_CONFIG, trainingConfigFromEnv } from './training.config';
import { TrainedVersionPublisher } from './training/trained-version.publisher';
import { TrainingRunner } from './training/training-runner.service';
import { TrainingResolver } from './training/training.resolver';
import { TrainingService } from './training/training.service';
import { VersionWriter } from './versions/version-writer';
import { EvaluationResolver } from './evaluation/evaluation.resolver';
import { EvaluationService } from './evaluation/evaluation.service';
import { OptimizationResolver } from './optimization/optimization.resolver';
import { OptimizationService } from './optimization/optimization.service';
import { ModelVersionFieldsResolver } from './versions/model-version-fields.resolver';

/**
 * The worker side of the model lifecycle: the training runner, registered as a job kind with
 * the queue's consumer (apps/worker, or the api in embedded mode), and what it needs.
 * QuotaService and MeteringService come from the application's global modules.
 */
@Module({
  imports: [QueueModule, ModelsModule],
  providers: [
    { provide: TRAINING_CONFIG, useFactory: () => trainingConfigFromEnv() },
    DatasetFileStore,
    DatasetService,
    VersionWriter,
    TrainedVersionPublisher,
    TrainingRunner,
  ],
  exports: [
    TRAINING_CONFIG,
    DatasetFileStore,
    DatasetService,
    VersionWriter,
    TrainingRunner,
    ModelsModule,
    QueueModule,
  ],
})
export class TrainingWorkerModule {}

/** The model lifecycle API: datasets, training, evaluation and optimisation (GraphQL). */
@Module({
  imports: [TrainingWorkerModule],
  controllers: [DatasetUploadController],
  providers: [
    DatasetUploadService,
    DatasetResolver,
    TrainingService,
    TrainingResolver,
    EvaluationService,
    EvaluationResolver,
    OptimizationService,
    OptimizationResolver,
    ModelVersionFieldsResolver,
  ],
})
export class TrainingModule {}
