import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from './role.enum';

@ObjectType()
export class Member {
  @Field(() => ID) userId!: string;
  @Field() email!: string;
  @Field(() => Role) role!: Role;
  @Field() joinedAt!: Date;
}

@ObjectType()
export class Invitation {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field(() => Role) role!: Role;
  @Field() expiresAt!: Date;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) acceptedAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'The acceptance token: returned once, when the invitation is created. Send it to the invitee.',
  })
  token?: string | null;
}
