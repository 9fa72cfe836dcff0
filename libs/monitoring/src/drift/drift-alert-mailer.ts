import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, Role } from '@app/db';
import { MailService } from '@app/mail';
import type { DriftAlert, DriftAlertSink } from './drift-alerts.service';

/** E-mails an input drift ALERT to the tenant's owners and admins (SMTP, or .eml files embedded). */
@Injectable()
export class DriftAlertMailer implements DriftAlertSink {
  private readonly log = new Logger('DriftAlert');

  constructor(
    private readonly prisma: PrismaService,
    private readonly mail: MailService,
  ) {}

  async alert(a: DriftAlert): Promise<void> {
    // Tenant is the tenancy root; its members are read by the tenant's id.
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: a.tenantId },
      include: { memberships: { where: { role: { in: [Role.OWNER, Role.ADMIN] } }, include: { user: true } } },
    });
    if (!tenant) return;
    for (const m of tenant.memberships) {
      this.mail.enqueue({
        to: m.user.email,
        subject: `Input drift alert: ${a.model.slice(0, 60)} v${a.version}, column ${a.feature.slice(0, 60)}`,
        text: [
          `The inputs of model "${a.model}" version ${a.version} have drifted from its baseline in column "${a.feature}":`,
          `population stability index ${a.psi.toFixed(3)} (ALERT above 0.25) over the window from ${a.windowStart.toISOString()} to ${a.windowEnd.toISOString()}.`,
          'This alert is sent once per window and column. The model page of the portal shows the drift of every column.',
          '',
        ].join('\n'),
      });
    }
    this.log.debug(`drift alert for ${a.model} v${a.version} mailed to ${tenant.memberships.length} member(s)`);
  }
}
