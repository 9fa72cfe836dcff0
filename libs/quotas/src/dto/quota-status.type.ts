import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class BillingPeriodType {
  @Field() start!: Date;
  @Field({ description: 'Exclusive: the first instant of the next period' }) end!: Date;
}

@ObjectType()
export class RateLimitStatus {
  @Field(() => Int, { description: 'Requests per minute that applied to this request (the tighter of key and tenant)' })
  limit!: number;
  @Field(() => Int) remaining!: number;
  @Field() resetAt!: Date;
}

@ObjectType()
export class BudgetStatus {
  @Field(() => Float) budgetCents!: number;
  @Field(() => Float, { description: 'Usage charges so far this period (overage units x unit price), in cents' })
  spentCents!: number;
  @Field(() => [Int], { description: 'Alert thresholds (50, 80, 100 percent) already crossed this period' })
  alertsSent!: number[];
}

@ObjectType()
export class QuotaStatus {
  @Field({ description: 'The plan id, e.g. free, developer, pro, enterprise' }) plan!: string;
  @Field(() => BillingPeriodType) period!: BillingPeriodType;
  @Field(() => Float) unitsIncluded!: number;
  @Field(() => Float) unitsUsed!: number;
  @Field(() => Float, { description: 'Units held by requests in flight' }) unitsReserved!: number;
  @Field({ description: 'true: requests are refused past the included units; false: overage is billed' })
  hardCap!: boolean;
  @Field(() => RateLimitStatus, { nullable: true }) rateLimit!: RateLimitStatus | null;
  @Field(() => BudgetStatus, { nullable: true }) budget!: BudgetStatus | null;
}
