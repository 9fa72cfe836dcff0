import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { AppError } from '@app/common';

const COMMON = new Set([
  'password',
  'password1',
  'password123',
  '123456789012',
  'qwertyuiop',
  'letmein12345',
  'iloveyou1234',
  'administrator',
  'changeme1234',
  'welcome12345',
]);

/** Passwords: argon2id (OWASP's parameters: 19 MiB, 2 passes) and a minimum policy. */
@Injectable()
export class PasswordService {
  private readonly options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
  // A real hash to verify against when the e-mail is unknown, so that both paths take as long.
  private readonly dummy = argon2.hash('not-a-real-password-0000', this.options);

  assertStrong(password: string, email: string): void {
    const problems: string[] = [];
    if (password.length < 10) problems.push('at least 10 characters');
    if (password.length > 256) problems.push('at most 256 characters');
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
    if (classes < 2) problems.push('at least two of: lower case, upper case, digits, symbols');
    if (
      COMMON.has(password.toLowerCase()) ||
      password.toLowerCase().includes(email.split('@')[0]?.toLowerCase() || '\u0000')
    ) {
      problems.push('not a common password nor your e-mail name');
    }
    if (problems.length) {
      throw AppError.badInput(
        `password too weak: needs ${problems.join('; ')}`,
        { field: 'password' },
        'WEAK_PASSWORD',
      );
    }
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    if (!hash) {
      await argon2.verify(await this.dummy, password).catch(() => false);
      return false;
    }
    return argon2.verify(hash, password).catch(() => false);
  }
}
