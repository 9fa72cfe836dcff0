import { Args, Int, Mutation, Resolver } from '@nestjs/graphql';
import { Ctx, CurrentTenant, RequestContext, RequirePermission, SessionOnly, actorOf } from '@app/auth';
import { BudgetService } from './budget.service';
import { BudgetStatus } from '../dto/quota-status.type';

@Resolver()
export class BudgetResolver {
  constructor(private readonly budgets: BudgetService) {}

  @SessionOnly()
  @RequirePermission('billing:manage')
  @Mutation(() => BudgetStatus, {
    nullable: true,
    description:
      'Sets the monthly spend budget for usage beyond the included units, in cents (null removes it). Overage plans refuse requests past it; alerts at 50/80/100%.',
  })
  setBudget(
    @Args('cents', { type: () => Int, nullable: true }) cents: number | null | undefined,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<BudgetStatus | null> {
    return this.budgets.set(tenantId, cents ?? null, { actor: actorOf(ctx.principal), requestId: ctx.requestId });
  }
}
