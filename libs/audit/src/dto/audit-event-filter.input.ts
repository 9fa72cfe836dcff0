import { Field, ID, InputType } from '@nestjs/graphql';

@InputType({ description: 'All given fields must match. Times are inclusive.' })
export class AuditEventFilter {
  @Field(() => String, { nullable: true, description: 'user, api_key or system' }) actorType?: string | null;
  @Field(() => ID, { nullable: true }) actorId?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'exact action, e.g. api_key.create; or a prefix ending in ".*", e.g. api_key.*',
  })
  action?: string | null;
  @Field(() => String, { nullable: true }) targetType?: string | null;
  @Field(() => ID, { nullable: true }) targetId?: string | null;
  @Field(() => String, { nullable: true }) requestId?: string | null;
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
}
