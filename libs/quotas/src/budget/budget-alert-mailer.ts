import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, Role } from '@app/db';
import { MailService } from '@app/mail';

/** E-mails a crossed budget threshold to the tenant's owners and billing members. */
@Injectable()
export class BudgetAlertMailer {
  private readonly log = new Logger('BudgetAlerts');

  constructor(
    private readonly prisma: PrismaService,
    private readonly mail: MailService,
  ) {}

  /** In the background: the call that crossed the threshold does not wait for the mail. */
  notify(tenantId: string, threshold: number): void {
    void this.send(tenantId, threshold).catch((e) =>
      this.log.error(`budget alert e-mail failed: ${(e as Error).message}`),
    );
  }

  private async send(tenantId: string, threshold: number): Promise<void> {
    // Tenant is the tenancy root; its members are read by the tenant's id.
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      include: { memberships: { where: { role: { in: [Role.OWNER, Role.BILLING] } }, include: { user: true } } },
    });
    if (!tenant) return;
    const budget =
      tenant.budgetCents === null ? 'its budget' : `its budget of ${(Number(tenant.budgetCents) / 100).toFixed(2)}`;
    for (const m of tenant.memberships) {
      this.mail.enqueue({
        to: m.user.email,
        subject: `Budget alert: ${tenant.name.slice(0, 60)} reached ${threshold}% of its monthly budget`,
        text: `Usage this month has reached ${threshold}% of ${budget} for "${tenant.name}".\n${threshold >= 100 ? 'Further billable usage is refused until the budget is raised or the month ends.\n' : ''}`,
      });
    }
  }
}
