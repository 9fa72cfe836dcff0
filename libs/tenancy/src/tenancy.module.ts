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
import { MailModule } from '@app/mail';
import { ACCOUNT_CONFIG, accountConfigFromEnv } from './accounts/account-config';
import { LoginThrottle } from './accounts/login-throttle.service';
import { EmailTokenService } from './accounts/email-token.service';
import { AccountEmailService } from './accounts/account-email.service';
import { DeviceCookies } from './sessions/device-cookies';

@Module({
  imports: [MailModule],
  providers: [
    { provide: ACCOUNT_CONFIG, useFactory: () => accountConfigFromEnv() },
    LoginThrottle,
    DeviceCookies,
    EmailTokenService,
    AccountEmailService,
    PasswordService,
    AccountService,
    SessionService,
    TenantService,
    InvitationService,
    MemberService,
    AccountResolver,
    TenantResolver,
    MemberResolver,
  ],
  exports: [SessionService, TenantService],
})
export class TenancyModule {}
