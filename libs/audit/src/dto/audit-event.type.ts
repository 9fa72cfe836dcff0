import { Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { PageInfo } from '@app/common';

@ObjectType()
export class AuditActor {
  @Field({ description: 'user, api_key or system' }) type!: string;
  @Field(() => ID, { nullable: true }) id!: string | null;
}

@ObjectType()
export class AuditTarget {
  @Field() type!: string;
  @Field(() => ID, { nullable: true }) id!: string | null;
}

@ObjectType({
  description:
    "One record of the tenant's hash chain. Never contains secrets or, unless payload logging is on, raw inference data.",
})
export class AuditEvent {
  @Field(() => ID) id!: string;
  @Field(() => Float, { description: 'Gap-free per tenant, from 1 (a 64-bit integer; exact as a number up to 2^53)' })
  seq!: number;
  @Field() occurredAt!: Date;
  @Field(() => AuditActor) actor!: AuditActor;
  @Field() action!: string;
  @Field(() => AuditTarget, { nullable: true }) target!: AuditTarget | null;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => GraphQLJSON) metadata!: unknown;
  @Field({ description: 'SHA-256 (hex) of the canonical event, prevHash included' }) hash!: string;
  @Field({ description: 'hash of the event before (64 zeros for seq 1)' }) prevHash!: string;
}

@ObjectType()
export class AuditEventEdge {
  @Field(() => AuditEvent) node!: AuditEvent;
  @Field() cursor!: string;
}

@ObjectType()
export class AuditEventConnection {
  @Field(() => [AuditEventEdge]) edges!: AuditEventEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
