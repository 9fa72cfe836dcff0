import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class AuditVerification {
  @Field() ok!: boolean;
  @Field(() => Int, { description: 'events whose hash and link were checked' }) checked!: number;
  @Field(() => Float, { nullable: true, description: 'the first seq that was altered, removed, reordered or forged' })
  firstBadSeq!: number | null;
}
