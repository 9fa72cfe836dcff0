/** What reserve() hands back; pass it unchanged to settle() or release(). */
export interface QuotaReservation {
  readonly id: string;
  readonly tenantId: string;
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly units: number;
}
