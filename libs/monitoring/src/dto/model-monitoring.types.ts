import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class LatencyPercentiles {
  @Field(() => Float, { nullable: true }) p50!: number | null;
  @Field(() => Float, { nullable: true }) p95!: number | null;
  @Field(() => Float, { nullable: true }) p99!: number | null;
}

@ObjectType({ description: 'One minute of calls' })
export class MonitoringPoint {
  @Field() at!: Date;
  @Field(() => Int) calls!: number;
  @Field(() => Int) errors!: number;
  @Field(() => Float, { nullable: true }) p50Ms!: number | null;
  @Field(() => Float, { nullable: true }) p95Ms!: number | null;
}

@ObjectType({ description: 'Population stability index of one input column against the version baseline' })
export class FeatureDriftView {
  @Field({ description: 'The input, or `<input>[i]` for a column of a [-1, n] tensor' }) feature!: string;
  @Field(() => Float) psi!: number;
  @Field({ description: 'OK (< 0.1), WARN (to 0.25) or ALERT' }) status!: string;
  @Field(() => Int, { nullable: true, description: 'The version the baseline belongs to' }) version!: number | null;
  @Field(() => Int, { description: 'Values of this column seen in the window' }) observed!: number;
}

@ObjectType()
export class ModelMonitoring {
  @Field(() => Int, { description: 'Inference requests that reached the model' }) calls!: number;
  @Field(() => Int, { description: 'Those that answered no outputs (4xx and 5xx alike)' }) errors!: number;
  @Field(() => Int, { description: 'Rows of the calls that answered' }) instances!: number;
  @Field(() => Float, { nullable: true, description: 'Mean size of the batches the calls ran in' }) meanBatchSize!:
    number | null;
  @Field(() => LatencyPercentiles) latencyMs!: LatencyPercentiles;
  @Field(() => [MonitoringPoint]) series!: MonitoringPoint[];
  @Field(() => [FeatureDriftView]) drift!: FeatureDriftView[];
}
