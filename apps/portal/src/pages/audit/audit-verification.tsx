import { VerifyAuditChainQuery } from '../../api/operations/audit';
import { useQuery } from '../../api/use-query';
import { ErrorBanner } from '../../components/error-banner';
import { formatNumber } from '../../components/format';

/** Recomputes the hash chain on the server and says, visibly, whether it holds. */
export function AuditVerification() {
  const verify = useQuery(VerifyAuditChainQuery, {});
  const v = verify.data?.verifyAuditChain;
  return (
    <section
      className={`card verification ${v ? (v.ok ? 'ok' : 'bad') : ''}`}
      aria-labelledby="verify-heading"
      aria-live="polite"
    >
      <h2 id="verify-heading">Chain verification</h2>
      <ErrorBanner error={verify.error} />
      {v ? (
        <p data-testid="audit-verification">
          {v.ok
            ? `Verified: ${formatNumber(v.checked)} events, hash chain intact.`
            : `Broken: the chain fails at event #${v.firstBadSeq} (${formatNumber(v.checked)} checked).`}
        </p>
      ) : verify.loading ? (
        <p aria-busy="true">Verifying…</p>
      ) : null}
      <button type="button" className="secondary" onClick={() => void verify.reload()} disabled={verify.loading}>
        Verify again
      </button>
    </section>
  );
}
