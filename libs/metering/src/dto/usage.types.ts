import { Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum UsageGroup {
  DAY = 'DAY',
  MODEL = 'MODEL',
  API_KEY = 'API_KEY',
}
registerEnumType(UsageGroup, { name: 'UsageGroup' });

@ObjectType({ description: 'Usage summed over the requested range and grouping; ungrouped fields are null.' })
export class UsageBucket {
  @Field(() => Date, { nullable: true, description: 'Start of the UTC day (groupBy DAY)' }) day!: Date | null;
  @Field(() => ID, { nullable: true }) modelId!: string | null;
  @Field(() => String, { nullable: true }) model!: string | null;
  @Field(() => ID, { nullable: true, description: 'null for portal (session) usage' }) apiKeyId!: string | null;
  @Field(() => Float) requests!: number;
  @Field(() => Float) units!: number;
  @Field(() => Float, { description: "Compute time in ms, each request's share of its batch" }) computeMs!: number;
}
