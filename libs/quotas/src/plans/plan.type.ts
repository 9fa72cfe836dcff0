import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

/** A plan as offered to customers (the public catalogue); prices in the currency's smallest unit. */
@ObjectType('Plan')
export class PlanType {
  @Field(() => ID, { description: 'free, developer, pro, ...: what startCheckout takes' }) id!: string;
  @Field() name!: string;
  @Field() description!: string;
  @Field(() => Int, { description: 'Flat monthly price in cents' }) monthlyPriceCents!: number;
  @Field() currency!: string;
  @Field(() => Float, { description: 'Units included each month' }) unitsIncluded!: number;
  @Field(() => Int) requestsPerMinutePerKey!: number;
  @Field(() => Int) requestsPerMinutePerTenant!: number;
  @Field(() => Int) maxConcurrentRequests!: number;
  @Field(() => Int) maxConcurrentJobs!: number;
  @Field({ description: 'true: requests are refused past the included units; false: overage is billed' })
  hardCap!: boolean;
  @Field(() => Float, {
    description: 'Price of a unit beyond the included ones, in millionths of the currency unit (0 with a hard cap)',
  })
  overageMicrosPerUnit!: number;
  @Field(() => Float, { description: 'The same price in cents (fractional)' }) overageCentsPerUnit!: number;
  @Field(() => Float, { description: 'Largest model artifact this plan may upload, in bytes' }) maxUploadBytes!: number;
  @Field({ description: 'Can be bought with startCheckout (the plan has a Stripe price)' }) purchasable!: boolean;
}
