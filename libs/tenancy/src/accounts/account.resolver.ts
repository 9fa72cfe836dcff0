import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/common';
import { AccountService, AuthResult } from './account.service';
import { TenantService } from '../tenants/tenant.service';
import { AccountEmailService, Origin } from './account-email.service';
import { Ctx, Public, RequestContext } from '@app/auth';
import { AuthPayload, User } from '../dto/user.type';
import { LogInInput, SignUpInput } from '../dto/inputs';
import { DeviceCookies } from '../sessions/device-cookies';
import { SESSION_COOKIE, clearSessionCookies, setSessionCookies } from '../sessions/session-cookies';

interface GqlCtx {
  req: FastifyRequest;
  reply: FastifyReply;
}

@Resolver()
export class AccountResolver {
  constructor(
    private readonly accounts: AccountService,
    private readonly tenants: TenantService,
    private readonly emails: AccountEmailService,
    private readonly devices: DeviceCookies,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Mutation(() => AuthPayload, {
    description:
      'Create an account and its first tenant (or join one by invitation). SIGNUP_SESSION=immediate: sets the session cookies. after-verification: sets none and answers a new and a taken address alike (signedIn false); the e-mailed link logs in.',
  })
  async signUp(
    @Args('input') input: SignUpInput,
    @Ctx() ctx: RequestContext,
    @Context() gql: GqlCtx,
  ): Promise<AuthPayload> {
    return this.complete(await this.accounts.signUp(input, originOf(ctx)), gql);
  }

  @Public()
  @Mutation(() => AuthPayload, { description: 'Sets an HttpOnly session cookie and a readable csrf_token cookie.' })
  async logIn(
    @Args('input') input: LogInInput,
    @Ctx() ctx: RequestContext,
    @Context() gql: GqlCtx,
  ): Promise<AuthPayload> {
    const previous = gql.req.cookies?.[SESSION_COOKIE];
    const devices = DeviceCookies.presented(gql.req);
    return this.complete(await this.accounts.logIn(input, originOf(ctx), previous, devices), gql);
  }

  @Public()
  @Mutation(() => User, {
    description:
      'Confirms the address from the link e-mailed at sign-up (<PUBLIC_URL>/verify-email?token=...). With SIGNUP_SESSION=after-verification it also logs in (sets the session cookies).',
  })
  async verifyEmail(@Args('token') token: string, @Ctx() ctx: RequestContext, @Context() gql: GqlCtx): Promise<User> {
    const userId = await this.emails.verifyEmail(token, originOf(ctx));
    if (this.accounts.afterVerification) {
      const result = await this.accounts.logInByVerification(userId, originOf(ctx), gql.req.cookies?.[SESSION_COOKIE]);
      this.setCookies(result, gql);
      return this.tenants.userView(userId, result.tenantId);
    }
    const p = ctx.principal;
    return this.tenants.userView(userId, p.kind === 'user' && p.userId === userId ? p.tenantId : null);
  }

  @Public()
  @Mutation(() => Boolean, {
    description: 'Always true; e-mails <PUBLIC_URL>/reset-password?token=... when the address has an account.',
  })
  requestPasswordReset(@Args('email') email: string, @Ctx() ctx: RequestContext): boolean {
    this.emails.requestPasswordReset(email, originOf(ctx));
    return true;
  }

  @Public()
  @Mutation(() => Boolean, {
    description: 'Sets a new password with the e-mailed token (single use); signs out every session of the account.',
  })
  async resetPassword(
    @Args('token') token: string,
    @Args('password') password: string,
    @Ctx() ctx: RequestContext,
  ): Promise<boolean> {
    await this.emails.resetPassword(token, password, originOf(ctx));
    return true;
  }

  @Public()
  @Mutation(() => Boolean)
  async logOut(@Ctx() ctx: RequestContext, @Context() gql: GqlCtx): Promise<boolean> {
    const p = ctx.principal;
    await this.accounts.logOut(gql.req.cookies?.[SESSION_COOKIE], p.kind === 'user' ? p : null, ctx.requestId);
    clearSessionCookies(gql.reply, this.config);
    return true;
  }

  @Public()
  @Query(() => User, { nullable: true, description: 'The signed-in user; null without a session.' })
  async me(@Ctx() ctx: RequestContext): Promise<User | null> {
    const p = ctx.principal;
    if (p.kind !== 'user') return null;
    return this.tenants.userView(p.userId, p.tenantId);
  }

  private async complete(result: AuthResult, gql: GqlCtx): Promise<AuthPayload> {
    this.setCookies(result, gql);
    if (result.payload) return { ...result.payload, signedIn: result.session !== null };
    const user = await this.tenants.userView(result.userId, result.tenantId);
    return {
      user,
      tenant: result.tenantId ? await this.tenants.get(result.tenantId) : null,
      signedIn: result.session !== null,
    };
  }

  private setCookies(result: AuthResult, gql: GqlCtx): void {
    if (result.session) setSessionCookies(gql.reply, result.session, this.config);
    if (result.device) this.devices.set(gql.reply, result.device);
  }
}

const originOf = (ctx: RequestContext): Origin => ({ requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent });
