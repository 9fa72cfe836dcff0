import { formatNumber } from './format';

export interface ChartSeries {
  label: string;
  /** Units per day, aligned with `days`. */
  values: number[];
}

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];
const W = 640;
const H = 220;
const PAD = { left: 48, right: 8, top: 8, bottom: 28 };

/**
 * Stacked daily bars drawn as inline SVG (no charting library: this is the one chart). A table
 * with the same numbers follows for screen readers and for copying.
 */
export function UsageChart({ days, series, title }: { days: string[]; series: ChartSeries[]; title: string }) {
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, days.length);
  const bar = Math.max(2, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labelEvery = Math.ceil(days.length / 8);

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: ${formatNumber(totals.reduce((a, b) => a + b, 0))} units over ${days.length} days`}
      >
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} stroke="#e5e7eb" />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" fontSize="11" fill="#4b5563">
              {formatNumber(Math.round(max * f))}
            </text>
          </g>
        ))}
        {days.map((day, i) => {
          let base = 0;
          const x = PAD.left + i * slot + (slot - bar) / 2;
          return (
            <g key={day}>
              {series.map((s, k) => {
                const v = s.values[i] ?? 0;
                if (!v) return null;
                const rect = (
                  <rect
                    key={s.label}
                    x={x}
                    y={y(base + v)}
                    width={bar}
                    height={y(base) - y(base + v)}
                    fill={COLORS[k % COLORS.length]}
                  />
                );
                base += v;
                return rect;
              })}
              {i % labelEvery === 0 ? (
                <text x={x + bar / 2} y={H - 10} textAnchor="middle" fontSize="11" fill="#4b5563">
                  {day.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend">
          {series.map((s, k) => (
            <li key={s.label}>
              <span className="swatch" style={{ background: COLORS[k % COLORS.length] }} aria-hidden="true" />
              {s.label}: {formatNumber(s.values.reduce((a, b) => a + b, 0))} units
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
