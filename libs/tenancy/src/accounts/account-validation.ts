import { AppError } from '@app/common';

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;

export function normalizeEmail(email: string): string {
  const e = (email ?? '').trim().toLowerCase();
  if (!EMAIL.test(e) || e.length > 320)
    throw AppError.badInput('not a valid e-mail address', { field: 'email' }, 'INVALID_EMAIL');
  return e;
}

export function validName(value: string | null | undefined, field: string, max = 100): string {
  const v = (value ?? '').trim();
  if (!v) throw AppError.badInput(`${field} must not be empty`, { field }, 'INVALID_NAME');
  if (v.length > max) throw AppError.badInput(`${field} must be at most ${max} characters`, { field }, 'INVALID_NAME');
  return v;
}
