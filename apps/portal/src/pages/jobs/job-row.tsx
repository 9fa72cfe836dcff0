import type { InferenceJob } from '../../api/operations/inference';
import { download } from '../../components/format';
import { Meter } from '../../components/meter';

const ACTIVE = ['QUEUED', 'RUNNING'];

export function JobRow({ job, onCancel, busy }: { job: InferenceJob; onCancel: (id: string) => void; busy: boolean }) {
  const { done, total } = job.progress;
  return (
    <tr>
      <td>
        <code>{job.id}</code>
      </td>
      <td>
        <span className={`badge ${job.status.toLowerCase()}`}>{job.status.toLowerCase()}</span>
        {job.error ? (
          <div className="error-code">{typeof job.error === 'string' ? job.error : JSON.stringify(job.error)}</div>
        ) : null}
      </td>
      <td className="progress-cell">
        <Meter
          label={`Job ${job.id} progress`}
          value={done}
          max={total}
          detail={`${done} / ${total}`}
          kind="progress"
          hideLabel
        />
      </td>
      <td>
        <div className="actions">
          {ACTIVE.includes(job.status) ? (
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => onCancel(job.id)}
              aria-label={`Cancel job ${job.id}`}
            >
              Cancel
            </button>
          ) : null}
          {job.outputs ? (
            <button
              type="button"
              className="secondary"
              onClick={() => download(`job-${job.id}-outputs.json`, JSON.stringify(job.outputs, null, 2))}
              aria-label={`Download outputs of job ${job.id}`}
            >
              Download outputs
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

export const isActive = (job: InferenceJob) => ACTIVE.includes(job.status);
