import { useEffect } from 'react';
import { CancelInferenceJobMutation, InferenceJobsQuery } from '../api/operations/inference';
import { useMutation, useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { JobRow, isActive } from './jobs/job-row';
import { SubmitJobForm } from './jobs/submit-job-form';

const POLL_MS = 2000;

export function JobsPage() {
  const jobs = useQuery(InferenceJobsQuery, { first: 50 });
  const cancel = useMutation(CancelInferenceJobMutation);
  const list = jobs.data?.inferenceJobs.edges.map((e) => e.node) ?? [];
  const anyActive = list.some(isActive);
  const { reload } = jobs;

  // Live progress: poll while something runs, stop when all are finished.
  useEffect(() => {
    if (!anyActive) return;
    const timer = window.setInterval(() => void reload(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [anyActive, reload]);

  const onCancel = async (id: string) => {
    if (await cancel.run({ id })) void reload();
  };

  return (
    <>
      <SubmitJobForm onSubmitted={() => void reload()} />
      <section aria-labelledby="jobs-heading">
        <h2 id="jobs-heading">Jobs</h2>
        <ErrorBanner error={jobs.error ?? cancel.error} />
        {jobs.data && list.length === 0 ? <p>No jobs yet.</p> : null}
        {list.length ? (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Status</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.map((job) => (
                  <JobRow key={job.id} job={job} onCancel={onCancel} busy={cancel.busy} />
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
