import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class Tenant {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'The plan id, e.g. free, developer, pro, enterprise' }) plan!: string;
  @Field() createdAt!: Date;
}
