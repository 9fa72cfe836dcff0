import { Field, Float, InputType, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';

@InputType()
export class PredictInput {
  @Field() model!: string;
  @Field(() => String, { nullable: true, description: 'A version number or an alias; default the `stable` alias' })
  version?: string | null;
  @Field(() => GraphQLJSON, { description: 'Input name to instances, e.g. { "features": [[5.1, 3.5, 1.4, 0.2]] }' })
  inputs!: unknown;
}

@ObjectType()
export class PredictionUsage {
  @Field(() => Int) units!: number;
}

@ObjectType('PredictionTiming')
export class PredictionTimingType {
  @Field(() => Float) queueMs!: number;
  @Field(() => Int) batchSize!: number;
  @Field(() => Float) computeMs!: number;
  @Field(() => Float) totalMs!: number;
}

@ObjectType()
export class Prediction {
  @Field(() => GraphQLJSON, { description: 'Output name to one row per instance' }) outputs!: unknown;
  @Field() model!: string;
  @Field(() => Int) version!: number;
  @Field(() => PredictionUsage) usage!: PredictionUsage;
  @Field(() => PredictionTimingType) timing!: PredictionTimingType;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Classifiers: per instance, [{ label, score }] best first' })
  labels?: unknown;
}
