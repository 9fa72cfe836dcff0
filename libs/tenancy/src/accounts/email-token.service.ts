import { Injectable } from '@nestjs/common';
import { AppError, newId, randomToken, sha256Hex } from '@app/common';
import { Prisma } from '@app/db';

export type EmailTokenPurpose = 'verify_email' | 'reset_password';
type Tx = Prisma.TransactionClient;

/** Single-use, short-lived tokens sent by e-mail; only their SHA-256 is stored. */
@Injectable()
export class EmailTokenService {
  async issue(tx: Tx, userId: string, purpose: EmailTokenPurpose, ttlMinutes: number): Promise<string> {
    const token = randomToken(32);
    // One live token per purpose: a new e-mail makes the older links dead.
    await tx.accountToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: new Date() } });
    await tx.accountToken.create({
      data: {
        id: newId('atk'),
        userId,
        purpose,
        tokenHash: sha256Hex(token),
        expiresAt: new Date(Date.now() + ttlMinutes * 60_000),
      },
    });
    return token;
  }

  /** Marks the token used and returns its user; unknown, used and expired tokens look the same. */
  async consume(tx: Tx, token: string, purpose: EmailTokenPurpose): Promise<string> {
    const tokenHash = sha256Hex(token ?? '');
    // Unscoped on purpose (users are not tenant-owned): found by the hash of a secret.
    const claimed = await tx.accountToken.updateMany({
      where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (claimed.count !== 1)
      throw AppError.badInput(
        'this link is invalid, used or expired; ask for a new one',
        { field: 'token' },
        'TOKEN_INVALID',
      );
    const row = await tx.accountToken.findUniqueOrThrow({ where: { tokenHash } });
    return row.userId;
  }
}
