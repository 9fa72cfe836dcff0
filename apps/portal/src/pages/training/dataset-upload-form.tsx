import { useState, type FormEvent } from 'react';
import { ApiError, asApiError } from '../../api/api-error';
import { request } from '../../api/graphql-client';
import { CompleteDatasetUploadMutation, CreateDatasetUploadMutation } from '../../api/operations/training';
import { ErrorBanner } from '../../components/error-banner';
import { Meter } from '../../components/meter';
import { TextField } from '../../components/text-field';
import { isApiUploadUrl, putWithProgress } from './put-with-progress';

/** A CSV (header row) or JSON Lines file, through a signed upload URL with a progress bar. */
export function DatasetUploadForm({ onUploaded }: { onUploaded: () => void }) {
  const [file, setFile] = useState<File>();
  const [name, setName] = useState('');
  const [progress, setProgress] = useState<number>();
  const [error, setError] = useState<ApiError>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const format = /\.jsonl?$/i.test(file.name) ? 'JSONL' : 'CSV';
    setError(undefined);
    setProgress(0);
    try {
      const { createDatasetUpload } = await request(CreateDatasetUploadMutation, {
        input: { name: name || file.name, format, sizeBytes: file.size },
      });
      const { uploadUrl, headers, token } = createDatasetUpload;
      await putWithProgress(uploadUrl, file, setProgress, headers);
      // Straight to the bucket (S3 mode): the api makes the dataset from the uploaded file now.
      if (!isApiUploadUrl(uploadUrl)) await request(CompleteDatasetUploadMutation, { token });
      onUploaded();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="dataset-upload-heading">
      <h2 id="dataset-upload-heading">Upload a dataset</h2>
      <div className="field">
        <label htmlFor="dataset-file">CSV with a header row, or JSON Lines (.jsonl)</label>
        <input
          id="dataset-file"
          type="file"
          accept=".csv,.jsonl,.json,text/csv"
          required
          onChange={(e) => setFile(e.target.files?.[0])}
        />
      </div>
      <TextField label="Name" value={name} placeholder={file?.name} onChange={(e) => setName(e.target.value)} />
      <ErrorBanner error={error} />
      {progress !== undefined ? (
        <Meter label="Uploading" value={Math.round(progress * 100)} max={100} kind="progress" />
      ) : null}
      <button type="submit" disabled={!file || progress !== undefined}>
        Upload
      </button>
    </form>
  );
}
