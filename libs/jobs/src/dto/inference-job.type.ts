import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { PageInfo } from '@app/common';

export enum InferenceJobStatus {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(InferenceJobStatus, { name: 'InferenceJobStatus' });

@ObjectType()
export class InferenceJobProgress {
  @Field(() => Int) done!: number;
  @Field(() => Int) total!: number;
}

@ObjectType()
export class InferenceJob {
  @Field(() => ID) id!: string;
  @Field(() => InferenceJobStatus) status!: InferenceJobStatus;
  @Field(() => InferenceJobProgress) progress!: InferenceJobProgress;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      'One object per instance, in order (per output name; `labelled` for classifiers). Grows as the job runs.',
  })
  outputs!: unknown[] | null;
  @Field(() => GraphQLJSON, { nullable: true, description: '{ code, reason, message } when the job FAILED' })
  error!: unknown | null;
  @Field() model!: string;
  @Field(() => Int) version!: number;
  @Field(() => String, { nullable: true }) webhookUrl!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "The Standard Webhooks secret (whsec_<base64>) of this job's webhook: verify the webhook-id, webhook-timestamp and webhook-signature headers with any Standard Webhooks library. Only in the submitInferenceJob answer: store it then.",
  })
  webhookSecret!: string | null;
  @Field(() => Date, { nullable: true }) webhookDeliveredAt!: Date | null;
  @Field(() => Int) attempts!: number;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType()
export class InferenceJobEdge {
  @Field(() => InferenceJob) node!: InferenceJob;
  @Field() cursor!: string;
}

@ObjectType()
export class InferenceJobConnection {
  @Field(() => [InferenceJobEdge]) edges!: InferenceJobEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@InputType()
export class SubmitInferenceJobInput {
  @Field() model!: string;
  @Field(() => String, { nullable: true, description: 'A version number or an alias; default the `stable` alias' })
  version?: string | null;
  @Field(() => [GraphQLJSON], {
    description: 'One entry per example: the input value of a single-input model, or an object keyed by input name',
  })
  instances!: unknown[];
  @Field(() => String, {
    nullable: true,
    description: 'POSTed a signed JSON notice when the job ends (public http(s) addresses only)',
  })
  webhookUrl?: string | null;
}
