import { Field, ObjectType } from '@nestjs/graphql';

/** Relay-style page info shared by every connection (API keys, models, jobs, audit events, ...). */
@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}
