import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfo } from '@app/common';
import { ModelVersion } from '@app/models';

export enum TrainingTask {
  CLASSIFICATION = 'CLASSIFICATION',
  REGRESSION = 'REGRESSION',
}
registerEnumType(TrainingTask, { name: 'TrainingTask' });

export enum TrainingStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(TrainingStatus, { name: 'TrainingStatus' });

@InputType()
export class StartTrainingInput {
  @Field({ description: 'The model to publish into; created (task tabular-classification or -regression) when new' })
  model!: string;
  @Field(() => ID) dataset!: string;
  @Field({ description: 'The column to predict' }) target!: string;
  @Field(() => [String], { nullable: true, description: 'Default: every other column' }) features?: string[] | null;
  @Field(() => TrainingTask, {
    nullable: true,
    description: 'Default: CLASSIFICATION for a STRING target or one of at most 10 distinct integers, else REGRESSION',
  })
  task?: TrainingTask | null;
  @Field(() => Int, { nullable: true, description: 'Default 30' }) epochs?: number | null;
  @Field(() => Int, { nullable: true, description: 'Default 32' }) batchSize?: number | null;
  @Field(() => Float, { nullable: true, description: 'Adam learning rate, default 0.005' }) learningRate?:
    number | null;
  @Field(() => [Int], { nullable: true, description: 'Units of each hidden ReLU layer, default [64]' }) hiddenUnits?:
    number[] | null;
  @Field(() => Float, { nullable: true, description: 'Dropout after each hidden layer, default 0' }) dropout?:
    number | null;
  @Field(() => Float, { nullable: true, description: 'Share of rows held out for validation, default 0.2' })
  validationSplit?: number | null;
  @Field(() => Int, { nullable: true, description: 'Stop after this many epochs without a better validation loss' })
  earlyStoppingPatience?: number | null;
  @Field(() => Int, { nullable: true, description: 'Shuffling, split and initial weights; default 42' }) seed?:
    number | null;
}

@ObjectType()
export class TrainingEpoch {
  @Field(() => Int) epoch!: number;
  @Field(() => Float) loss!: number;
  @Field(() => Float, { nullable: true }) valLoss!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Validation accuracy (classification) or mean absolute error (regression)',
  })
  valMetric!: number | null;
}

@ObjectType()
export class TrainingProgress {
  @Field(() => Int) epoch!: number;
  @Field(() => Int) epochs!: number;
  @Field(() => Float, { nullable: true }) loss!: number | null;
  @Field(() => Float, { nullable: true }) valLoss!: number | null;
  @Field(() => Float, { nullable: true }) valMetric!: number | null;
}

@ObjectType()
export class TrainingJobError {
  @Field() code!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field() message!: string;
}

@ObjectType()
export class TrainingJob {
  @Field(() => ID) id!: string;
  @Field(() => TrainingStatus) status!: TrainingStatus;
  @Field() model!: string;
  @Field(() => ID) dataset!: string;
  @Field(() => TrainingTask, { nullable: true, description: 'Known once the job has read its data when not given' })
  task!: TrainingTask | null;
  @Field(() => TrainingProgress) progress!: TrainingProgress;
  @Field(() => [TrainingEpoch]) history!: TrainingEpoch[];
  @Field(() => ModelVersion, { nullable: true, description: 'The version it published (SUCCEEDED)' })
  modelVersion!: ModelVersion | null;
  @Field(() => TrainingJobError, { nullable: true }) error!: TrainingJobError | null;
  @Field(() => Float, { description: 'Compute time billed (units per second of training)' }) computeMs!: number;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType()
export class TrainingJobEdge {
  @Field(() => TrainingJob) node!: TrainingJob;
  @Field() cursor!: string;
}

@ObjectType()
export class TrainingJobConnection {
  @Field(() => [TrainingJobEdge]) edges!: TrainingJobEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}
