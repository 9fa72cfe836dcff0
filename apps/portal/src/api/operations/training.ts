import { Connection, operation } from '../operation';
import type { JobStatus } from './inference';

export interface DatasetColumn {
  name: string;
  type: 'NUMBER' | 'STRING';
  missing: number;
}

export interface Dataset {
  id: string;
  name: string;
  format: 'CSV' | 'JSONL';
  rows: number;
  sizeBytes: number;
  createdAt: string;
  columns: DatasetColumn[];
}

const DATASET_FIELDS = 'id name format rows sizeBytes createdAt columns { name type missing }';

export const DatasetsQuery = operation<{ datasets: Connection<Dataset> }, { first: number }>(
  `query Datasets($first: Int) { datasets(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${DATASET_FIELDS} } } } }`,
);

export const CreateDatasetUploadMutation = operation<
  {
    createDatasetUpload: {
      uploadUrl: string;
      token: string;
      expiresAt: string;
      headers: { name: string; value: string }[];
    };
  },
  { input: { name: string; format: 'CSV' | 'JSONL'; sizeBytes: number } }
>(
  `mutation CreateDatasetUpload($input: CreateDatasetUploadInput!) { createDatasetUpload(input: $input) { uploadUrl token expiresAt headers { name value } } }`,
);

export const CompleteDatasetUploadMutation = operation<{ completeDatasetUpload: Dataset }, { token: string }>(
  `mutation CompleteDatasetUpload($token: String!) { completeDatasetUpload(token: $token) { ${DATASET_FIELDS} } }`,
);

export const DeleteDatasetMutation = operation<{ deleteDataset: { id: string } }, { id: string }>(
  `mutation DeleteDataset($id: ID!) { deleteDataset(id: $id) { id } }`,
);

export interface TrainingEpoch {
  epoch: number;
  loss: number;
  valLoss: number | null;
  valMetric: number | null;
}

export interface TrainingJob {
  id: string;
  status: JobStatus;
  model: string;
  task: 'CLASSIFICATION' | 'REGRESSION' | null;
  createdAt: string;
  computeMs: number;
  progress: { epoch: number; epochs: number };
  history: TrainingEpoch[];
  error: { code: string; reason: string | null; message: string } | null;
  modelVersion: { version: number; metrics: Record<string, unknown> | null } | null;
}

const JOB_FIELDS =
  'id status model task createdAt computeMs progress { epoch epochs } history { epoch loss valLoss valMetric } error { code reason message } modelVersion { version metrics }';

export interface StartTrainingInput {
  model: string;
  dataset: string;
  target: string;
  epochs?: number;
  hiddenUnits?: number[];
  learningRate?: number;
  dropout?: number;
  earlyStoppingPatience?: number;
}

export const StartTrainingMutation = operation<{ startTraining: TrainingJob }, { input: StartTrainingInput }>(
  `mutation StartTraining($input: StartTrainingInput!) { startTraining(input: $input) { ${JOB_FIELDS} } }`,
);

export const TrainingJobsQuery = operation<{ trainingJobs: Connection<TrainingJob> }, { first: number }>(
  `query TrainingJobs($first: Int) { trainingJobs(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${JOB_FIELDS} } } } }`,
);

export const CancelTrainingMutation = operation<{ cancelTraining: { id: string; status: JobStatus } }, { id: string }>(
  `mutation CancelTraining($id: ID!) { cancelTraining(id: $id) { id status } }`,
);

export interface VersionEvaluation {
  id: string;
  rows: number;
  accuracy: number | null;
  macroF1: number | null;
  mae: number | null;
  rmse: number | null;
  r2: number | null;
}

export interface LifecycleVersion {
  version: number;
  status: string;
  sizeBytes: number;
  quantization: string | null;
  parentVersion: number | null;
  evaluations: VersionEvaluation[];
}

export const ModelVersionsQuery = operation<
  { model: { name: string; versions: LifecycleVersion[] } | null },
  { name: string }
>(
  `query ModelVersions($name: String!) { model(name: $name) { name versions { version status sizeBytes quantization parentVersion evaluations { id rows accuracy macroF1 mae rmse r2 } } } }`,
);

export const EvaluateModelVersionMutation = operation<
  { evaluateModelVersion: VersionEvaluation },
  { input: { model: string; version: string; dataset: string; target: string } }
>(
  `mutation EvaluateModelVersion($input: EvaluateModelVersionInput!) { evaluateModelVersion(input: $input) { id rows accuracy macroF1 mae rmse r2 } }`,
);

export const OptimizeModelVersionMutation = operation<
  { optimizeModelVersion: { version: number; sizeBytes: number } },
  {
    input: {
      model: string;
      version: string;
      quantization: 'FLOAT16' | 'UINT8' | 'UINT16';
      dataset?: string;
      target?: string;
    };
  }
>(
  `mutation OptimizeModelVersion($input: OptimizeModelVersionInput!) { optimizeModelVersion(input: $input) { version sizeBytes } }`,
);
