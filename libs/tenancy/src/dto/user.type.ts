import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Role } from './role.enum';
import { Tenant } from './tenant.type';

@ObjectType()
export class TenantMembership {
  @Field(() => Tenant) tenant!: Tenant;
  @Field(() => Role) role!: Role;
}

@ObjectType()
export class User {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field() createdAt!: Date;
  @Field(() => ID, { nullable: true, description: 'The tenant this session acts for' }) currentTenantId?: string | null;
  @Field(() => Role, { nullable: true, description: 'Role in the current tenant' }) role?: Role | null;
  @Field(() => [TenantMembership]) memberships!: TenantMembership[];
}

@ObjectType()
export class AuthPayload {
  @Field(() => User) user!: User;
  @Field(() => Tenant, { nullable: true }) tenant!: Tenant | null;
  @Field({
    description:
      'Whether this answer started a session (set the cookies). false after signUp when SIGNUP_SESSION=after-verification: the e-mailed link logs in.',
  })
  signedIn!: boolean;
}
