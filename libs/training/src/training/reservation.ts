import type { QuotaReservation } from '@app/quotas';

/** A reservation read back from a job row's JSON (dates come back as strings). */
export function reservationFromJson(value: unknown): QuotaReservation | null {
  if (!value || typeof value !== 'object') return null;
  const r = value as Record<string, unknown>;
  return {
    id: String(r.id),
    tenantId: String(r.tenantId),
    periodStart: new Date(String(r.periodStart)),
    periodEnd: new Date(String(r.periodEnd)),
    units: Number(r.units),
  };
}
