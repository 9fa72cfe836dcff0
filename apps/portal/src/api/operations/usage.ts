import { operation } from '../operation';

export interface QuotaStatus {
  plan: string;
  period: { start: string; end: string };
  unitsIncluded: number;
  unitsUsed: number;
  /** Null when the request that asked had no rate limit applied (e.g. an unlimited plan). */
  rateLimit: { limit: number; remaining: number; resetAt: string } | null;
  /** Null when the tenant has set no monthly budget. */
  budget: { budgetCents: number; spentCents: number } | null;
}

export const QuotaQuery = operation<{ quota: QuotaStatus }>(
  `query Quota { quota { plan period { start end } unitsIncluded unitsUsed rateLimit { limit remaining resetAt } budget { budgetCents spentCents } } }`,
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
