import { operation } from '../operation';

export interface QuotaStatus {
  plan: string;
  period: { start: string; end: string };
  unitsIncluded: number;
  unitsUsed: number;
  rateLimit: { limit: number; remaining: number; resetAt: string };
}

export const QuotaQuery = operation<{ quota: QuotaStatus }>(
  `query Quota { quota { plan period { start end } unitsIncluded unitsUsed rateLimit { limit remaining resetAt } } }`,
);

export type UsageGroup = 'DAY' | 'MODEL' | 'API_KEY';

export interface UsageBucket {
  /** Start of the day bucket (when grouped by DAY). */
  day: string | null;
  model: string | null;
  apiKeyId: string | null;
  requests: number;
  units: number;
}

export const UsageQuery = operation<{ usage: UsageBucket[] }, { from: string; to: string; groupBy: UsageGroup[] }>(
  `query Usage($from: DateTime!, $to: DateTime!, $groupBy: [UsageGroup!]) { usage(from: $from, to: $to, groupBy: $groupBy) { day model apiKeyId requests units } }`,
);

/**
 * Spend against the monthly budget. Not named by the contract: the quota work is adding it; the
 * schema check reports this one until the fields land, and the dashboard says so meanwhile.
 */
export interface Spend {
  spendCents: number;
  budgetCents: number | null;
  currency: string;
}

export const SpendQuery = operation<{ quota: Spend }>(`query Spend { quota { spendCents budgetCents currency } }`);
