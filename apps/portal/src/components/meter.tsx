/**
 * A labelled bar. A gauge (quota used, budget spent) turns amber then red as it fills; progress
 * (an upload, a job) fills in one calm colour, and its label may be for screen readers only.
 */
export function Meter({
  label,
  value,
  max,
  detail,
  kind = 'gauge',
  hideLabel = false,
}: {
  label: string;
  value: number;
  max: number;
  detail?: string;
  kind?: 'gauge' | 'progress';
  hideLabel?: boolean;
}) {
  const ratio = max > 0 ? Math.min(1, value / max) : 0;
  const level = kind === 'progress' ? 'progress' : ratio >= 0.9 ? 'high' : ratio >= 0.75 ? 'warn' : 'ok';
  return (
    <div className="meter">
      <div className="meter-label">
        <span className={hideLabel ? 'visually-hidden' : undefined}>{label}</span>
        <span>{detail ?? `${Math.round(ratio * 100)}%`}</span>
      </div>
      <div
        className={`meter-track ${level}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
      >
        <div className="meter-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}
