import { Module } from '@nestjs/common';
import { PasswordService } from './accounts/password.service';
import { AccountService } from './accounts/account.service';
import { SessionService } from './sessions/session.service';
import { TenantService } from './tenants/tenant.service';
import { InvitationService } from './members/invitation.service';
import { MemberService } from './members/member.service';
import { AccountResolver } from './accounts/account.resolver';
import { TenantResolver } from './tenants/tenant.resolver';
import { MemberResolver } from './members/member.resolver';

@Module({
  providers: [PasswordService, AccountService, SessionService, TenantService, InvitationService, MemberService, AccountResolver, TenantResolver, MemberResolver],
  exports: [SessionService, TenantService],
})
export class TenancyModule {}
