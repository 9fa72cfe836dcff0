import { useEffect, useState } from 'react';
import {
  CancelTrainingMutation,
  DatasetsQuery,
  DeleteDatasetMutation,
  TrainingJobsQuery,
} from '../api/operations/training';
import { useMutation, useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { DatasetUploadForm } from './training/dataset-upload-form';
import { LossCurve } from './training/loss-curve';
import { StartTrainingForm } from './training/start-training-form';
import { VersionsPanel } from './training/versions-panel';

const POLL_MS = 1500;
const ACTIVE = new Set(['QUEUED', 'RUNNING']);

/** Datasets, training jobs with their loss curves, and a model's versions compared. */
export function TrainingPage() {
  const datasets = useQuery(DatasetsQuery, { first: 50 });
  const jobs = useQuery(TrainingJobsQuery, { first: 20 });
  const cancel = useMutation(CancelTrainingMutation);
  const remove = useMutation(DeleteDatasetMutation);
  const [model, setModel] = useState('');
  const dsList = datasets.data?.datasets.edges.map((e) => e.node) ?? [];
  const jobList = jobs.data?.trainingJobs.edges.map((e) => e.node) ?? [];
  const anyActive = jobList.some((j) => ACTIVE.has(j.status));
  const { reload } = jobs;

  // Live progress while a job runs.
  useEffect(() => {
    if (!anyActive) return;
    const timer = window.setInterval(() => void reload(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [anyActive, reload]);

  return (
    <>
      <DatasetUploadForm onUploaded={() => void datasets.reload()} />
      <section aria-labelledby="datasets-heading">
        <h2 id="datasets-heading">Datasets</h2>
        <ErrorBanner error={datasets.error ?? remove.error} />
        {datasets.data && dsList.length === 0 ? <p>No datasets yet.</p> : null}
        {dsList.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Rows</th>
                  <th scope="col">Columns</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {dsList.map((d) => (
                  <tr key={d.id}>
                    <td>{d.name}</td>
                    <td>{d.rows}</td>
                    <td>
                      {d.columns
                        .map((c) => `${c.name} (${c.type.toLowerCase()}${c.missing ? `, ${c.missing} missing` : ''})`)
                        .join(', ')}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        onClick={async () => (await remove.run({ id: d.id })) && void datasets.reload()}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {dsList.length ? <StartTrainingForm datasets={dsList} onStarted={() => void reload()} /> : null}
      <section aria-labelledby="training-jobs-heading">
        <h2 id="training-jobs-heading">Training jobs</h2>
        <ErrorBanner error={jobs.error ?? cancel.error} />
        {jobList.map((j) => (
          <article key={j.id} className="card" aria-label={`training of ${j.model}`}>
            <h3>
              {j.model} · {j.status.toLowerCase()}
              {j.task ? ` · ${j.task.toLowerCase()}` : ''}
            </h3>
            <LossCurve history={j.history} epochs={j.progress.epochs} />
            {j.error ? (
              <p className="error">
                {j.error.message} ({j.error.reason})
              </p>
            ) : null}
            {j.modelVersion ? (
              <p>
                Published version {j.modelVersion.version} after {(j.computeMs / 1000).toFixed(1)} s of training.
              </p>
            ) : null}
            {ACTIVE.has(j.status) ? (
              <button
                type="button"
                className="secondary"
                onClick={async () => (await cancel.run({ id: j.id })) && void reload()}
              >
                Cancel
              </button>
            ) : null}
            {j.modelVersion ? (
              <button type="button" className="secondary" onClick={() => setModel(j.model)}>
                Compare versions
              </button>
            ) : null}
          </article>
        ))}
      </section>
      {model ? <VersionsPanel model={model} datasets={dsList} /> : null}
    </>
  );
}
