import { Injectable } from '@nestjs/common';
import { AppError, newId, randomToken, sha256Hex } from '@app/common';
import { Prisma, PrismaService, Role, TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';
import { MailService } from '@app/mail';
import { normalizeEmail } from '../accounts/account-validation';

const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
type Tx = Prisma.TransactionClient;

/** Invitations carry a random token, shown once to the inviter; only its hash is stored. */
@Injectable()
export class InvitationService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenants: TenantPrisma,
    private readonly audit: AuditService,
    private readonly mail: MailService,
  ) {}

  async invite(
    tenantId: string,
    inviter: { userId: string; role: Role },
    input: { email: string; role: Role },
    requestId: string,
  ) {
    const email = normalizeEmail(input.email);
    if (!Object.values(Role).includes(input.role))
      throw AppError.badInput('unknown role', { field: 'role' }, 'INVALID_ROLE');
    if (input.role === Role.OWNER && inviter.role !== Role.OWNER)
      throw AppError.forbidden('only an owner can invite an owner', 'OWNER_REQUIRED');
    const token = randomToken(24);
    const db = this.tenants.forTenant(tenantId);
    const created = await db.$transaction(async (tx) => {
      const existing = await tx.membership.findFirst({ where: { user: { email } } });
      if (existing) throw AppError.conflict('this person is already a member', 'ALREADY_MEMBER');
      const invitation = await tx.invitation.create({
        data: {
          id: newId('inv'),
          tenantId,
          email,
          role: input.role,
          tokenHash: sha256Hex(token),
          invitedById: inviter.userId,
          expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        },
      });
      await this.audit.append(tx, tenantId, {
        actor: { type: 'user', id: inviter.userId },
        action: 'member.invite',
        target: { type: 'invitation', id: invitation.id },
        requestId,
        metadata: { email, role: input.role },
      });
      return { ...invitation, token };
    });
    const tenant = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    const link = this.mail.link('/signup', { invitation: token });
    this.mail.enqueue({
      to: email,
      subject: `You are invited to ${tenant.name.slice(0, 60)} on the model service`,
      links: [link],
      text: `You have been invited to join "${tenant.name}" as ${input.role.toLowerCase()}.\n\nAccept (or create your account) here:\n${link}\n\nThe invitation is valid for 7 days.\n`,
    });
    return created;
  }

  /**
   * The invitation a sign-up names, read without claiming it; NOT_FOUND when it is unknown, used,
   * revoked, expired or for another address (checked before anything depends on the address).
   */
  async find(token: string, email: string) {
    // Unscoped on purpose: an invitation is found by the hash of its secret token.
    const inv = await this.prisma.invitation.findUnique({
      where: { tokenHash: sha256Hex(token ?? '') },
      include: { tenant: true },
    });
    const usable =
      inv &&
      !inv.acceptedAt &&
      !inv.revokedAt &&
      inv.expiresAt.getTime() > Date.now() &&
      inv.email === email.toLowerCase();
    if (!inv || !usable) throw AppError.notFound('invitation', 'INVITATION_NOT_FOUND');
    const t = inv.tenant;
    return { role: inv.role, tenant: { id: t.id, name: t.name, plan: t.planId, createdAt: t.createdAt } };
  }

  /** Accepts inside the caller's transaction: creates the membership for `userId`. */
  async acceptWithin(
    tx: Tx,
    token: string,
    userId: string,
    email: string,
    requestId: string,
  ): Promise<{ tenantId: string; role: Role }> {
    // Unscoped on purpose: an invitation is found by the hash of its secret token.
    const inv = await tx.invitation.findUnique({ where: { tokenHash: sha256Hex(token ?? '') } });
    const usable =
      inv &&
      !inv.acceptedAt &&
      !inv.revokedAt &&
      inv.expiresAt.getTime() > Date.now() &&
      inv.email === email.toLowerCase();
    if (!inv || !usable) throw AppError.notFound('invitation', 'INVITATION_NOT_FOUND');
    const claimed = await tx.invitation.updateMany({
      where: { id: inv.id, acceptedAt: null },
      data: { acceptedAt: new Date() },
    });
    if (claimed.count !== 1) throw AppError.notFound('invitation', 'INVITATION_NOT_FOUND');
    const already = await tx.membership.findUnique({ where: { tenantId_userId: { tenantId: inv.tenantId, userId } } });
    if (already) throw AppError.conflict('already a member of this tenant', 'ALREADY_MEMBER');
    await tx.membership.create({ data: { id: newId('mem'), tenantId: inv.tenantId, userId, role: inv.role } });
    await this.audit.append(tx, inv.tenantId, {
      actor: { type: 'user', id: userId },
      action: 'member.join',
      target: { type: 'user', id: userId },
      requestId,
      metadata: { invitationId: inv.id, role: inv.role },
    });
    return { tenantId: inv.tenantId, role: inv.role };
  }

  async accept(token: string, userId: string, requestId: string) {
    return this.prisma.$transaction(async (tx) => {
      const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
      return this.acceptWithin(tx, token, userId, user.email, requestId);
    });
  }
}
