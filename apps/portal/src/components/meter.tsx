/** A labelled gauge: quota used, budget spent, upload progress. */
export function Meter({ label, value, max, detail }: { label: string; value: number; max: number; detail?: string }) {
  const ratio = max > 0 ? Math.min(1, value / max) : 0;
  const level = ratio >= 0.9 ? 'high' : ratio >= 0.75 ? 'warn' : 'ok';
  return (
    <div className="meter">
      <div className="meter-label">
        <span>{label}</span>
        <span>{detail ?? `${Math.round(ratio * 100)}%`}</span>
      </div>
      <div className={`meter-track ${level}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
        <div className="meter-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}
