import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { Role } from '@app/db';
import { InvitationService } from './invitation.service';
import { MemberService } from './member.service';
import { Ctx, CurrentTenant, RequirePermission, SessionOnly, Principal, RequestContext } from '@app/auth';
import { Invitation, Member } from '../dto/member.type';
import { InviteMemberInput } from '../dto/inputs';

function personOf(p: Principal): { userId: string; role: Role } {
  if (p.kind !== 'user' || !p.role)
    throw AppError.forbidden('only a member signed in to the portal can do this', 'SESSION_REQUIRED');
  return { userId: p.userId, role: p.role };
}

@Resolver()
export class MemberResolver {
  constructor(
    private readonly members: MemberService,
    private readonly invitationService: InvitationService,
  ) {}

  @RequirePermission('members:manage')
  @Query(() => [Member])
  tenantMembers(@CurrentTenant() tenantId: string): Promise<Member[]> {
    return this.members.list(tenantId);
  }

  @RequirePermission('members:manage')
  @Query(() => [Invitation])
  invitations(@CurrentTenant() tenantId: string): Promise<Invitation[]> {
    return this.members.invitations(tenantId);
  }

  @SessionOnly()
  @RequirePermission('members:manage')
  @Mutation(() => Invitation, {
    description: 'Invite someone by e-mail with a role. The token in the answer is shown once.',
  })
  inviteMember(
    @Args('input') input: InviteMemberInput,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Invitation> {
    return this.invitationService.invite(tenantId, personOf(ctx.principal), input, ctx.requestId);
  }

  @SessionOnly()
  @Mutation(() => ID, {
    description: 'Join the tenant of an invitation addressed to your e-mail; returns the tenant id.',
  })
  async acceptInvitation(@Args('token') token: string, @Ctx() ctx: RequestContext): Promise<string> {
    if (ctx.principal.kind !== 'user') throw AppError.forbidden('sign in to accept an invitation', 'SESSION_REQUIRED');
    return (await this.invitationService.accept(token, ctx.principal.userId, ctx.requestId)).tenantId;
  }

  @SessionOnly()
  @RequirePermission('members:manage')
  @Mutation(() => Boolean)
  async updateMemberRole(
    @Args('userId', { type: () => ID }) userId: string,
    @Args('role', { type: () => Role }) role: Role,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    await this.members.changeRole(tenantId, personOf(ctx.principal), userId, role, ctx.requestId);
    return true;
  }

  @SessionOnly()
  @RequirePermission('members:manage')
  @Mutation(() => Boolean)
  removeMember(
    @Args('userId', { type: () => ID }) userId: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    return this.members.remove(tenantId, personOf(ctx.principal), userId, ctx.requestId);
  }
}
