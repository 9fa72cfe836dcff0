import type { QuotaStatus } from '../../api/operations/usage';
import { formatDate, formatMoney, formatNumber } from '../../components/format';
import { Meter } from '../../components/meter';

/** Included units used this period, rate-limit headroom, and spend against the budget. */
export function QuotaCards({ quota }: { quota: QuotaStatus }) {
  const { rateLimit, budget } = quota;
  return (
    <>
      <section className="card" aria-labelledby="quota-heading">
        <h2 id="quota-heading">Quota</h2>
        <p>
          Plan <strong>{quota.plan}</strong>, {formatDate(quota.period.start)} – {formatDate(quota.period.end)}
        </p>
        <Meter
          label="Units used"
          value={quota.unitsUsed}
          max={quota.unitsIncluded}
          detail={`${formatNumber(quota.unitsUsed)} of ${formatNumber(quota.unitsIncluded)}`}
        />
      </section>
      <section className="card" aria-labelledby="rate-heading">
        <h2 id="rate-heading">Rate limit</h2>
        {rateLimit ? (
          <>
            <Meter
              label="Requests left this minute"
              value={rateLimit.remaining}
              max={rateLimit.limit}
              detail={`${rateLimit.remaining} of ${rateLimit.limit}`}
            />
            <p className="hint">Resets {formatDate(rateLimit.resetAt)}</p>
          </>
        ) : (
          <p>No rate limit applies.</p>
        )}
      </section>
      <section className="card" aria-labelledby="spend-heading">
        <h2 id="spend-heading">Spend</h2>
        {budget ? (
          <Meter
            label="Spend against budget"
            value={budget.spentCents}
            max={budget.budgetCents}
            detail={`${formatMoney(budget.spentCents)} of ${formatMoney(budget.budgetCents)}`}
          />
        ) : (
          <p>No monthly budget set: usage beyond the included units is billed at the plan's price.</p>
        )}
      </section>
    </>
  );
}
