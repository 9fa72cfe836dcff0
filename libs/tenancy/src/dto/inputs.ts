import { Field, InputType } from '@nestjs/graphql';
import { Role } from './role.enum';

@InputType()
export class SignUpInput {
  @Field() email!: string;
  @Field() password!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Name of the new tenant (required unless invitationToken is given)',
  })
  tenantName?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true, description: 'Accept this invitation instead of creating a tenant' })
  invitationToken?: string | null;
}

@InputType()
export class LogInInput {
  @Field() email!: string;
  @Field() password!: string;
}

@InputType()
export class InviteMemberInput {
  @Field() email!: string;
  @Field(() => Role) role!: Role;
}
