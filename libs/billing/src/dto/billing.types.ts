import { Field, Float, ID, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class CheckoutSession {
  @Field() url!: string;
}

@ObjectType()
export class BillingPortalSession {
  @Field() url!: string;
}

@ObjectType()
export class Invoice {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) number!: string | null;
  @Field() status!: string;
  @Field() currency!: string;
  @Field(() => Float, { description: 'In the smallest currency unit (cents)' }) amountDue!: number;
  @Field(() => Float) amountPaid!: number;
  @Field(() => String, { nullable: true }) hostedInvoiceUrl!: string | null;
  @Field(() => Date, { nullable: true }) periodStart!: Date | null;
  @Field(() => Date, { nullable: true }) periodEnd!: Date | null;
  @Field() createdAt!: Date;
}
