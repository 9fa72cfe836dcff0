import type { TrainingEpoch } from '../../api/operations/training';

const W = 320;
const H = 120;
const PAD = 6;

/** Training and validation loss per epoch, as two lines on one scale (an SVG, no chart library). */
export function LossCurve({ history, epochs }: { history: TrainingEpoch[]; epochs: number }) {
  if (!history.length) return <span className="hint">waiting for the first epoch</span>;
  const values = history.flatMap((h) => [h.loss, h.valLoss ?? h.loss]).filter(Number.isFinite);
  const top = Math.max(...values);
  const bottom = Math.min(...values, 0);
  const x = (epoch: number) => PAD + ((epoch - 1) / Math.max(1, epochs - 1)) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - ((v - bottom) / (top - bottom || 1)) * (H - 2 * PAD);
  const line = (pick: (h: TrainingEpoch) => number | null) =>
    history
      .filter((h) => pick(h) !== null)
      .map((h) => `${x(h.epoch).toFixed(1)},${y(pick(h)!).toFixed(1)}`)
      .join(' ');
  const last = history.at(-1)!;
  return (
    <figure className="loss-curve">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label={`loss ${last.loss.toFixed(4)} at epoch ${last.epoch} of ${epochs}`}
      >
        <polyline points={line((h) => h.loss)} fill="none" stroke="currentColor" strokeWidth={2} />
        <polyline
          points={line((h) => h.valLoss)}
          fill="none"
          stroke="currentColor"
          strokeWidth={2}
          strokeDasharray="4 3"
          opacity={0.6}
        />
      </svg>
      <figcaption>
        epoch {last.epoch}/{epochs} · loss {last.loss.toFixed(4)}
        {last.valLoss !== null ? ` · validation ${last.valLoss.toFixed(4)}` : ''}
        {last.valMetric !== null ? ` · metric ${last.valMetric.toFixed(3)}` : ''}
      </figcaption>
    </figure>
  );
}
