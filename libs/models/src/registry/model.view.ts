import { Model, ModelVersion, TensorSpec } from '../dto/model.types';

interface VersionRow {
  id: string;
  version: number;
  status: string;
  format: string;
  createdAt: Date;
  metrics: unknown;
  inputs: unknown;
  outputs: unknown;
  pricingUnit: string;
  unitsPer: number;
  sizeBytes: bigint;
  sha256: string | null;
  preprocess?: string | null;
  preprocessing?: unknown;
  parentVersionId?: string | null;
  quantization?: string | null;
  trainingJobId?: string | null;
}
interface AliasRow {
  name: string;
  versionId: string;
  canaryVersionId: string | null;
  canaryWeight: number;
}
export interface ModelRow {
  name: string;
  description: string;
  task: string;
  tenantId: string | null;
  createdAt: Date;
  downloadsEnabled: boolean;
  versions: VersionRow[];
  aliases: AliasRow[];
}

/** The Prisma include that `modelView` needs. */
export const MODEL_VIEW_INCLUDE = {
  versions: { orderBy: { version: 'asc' as const } },
  aliases: { orderBy: { name: 'asc' as const } },
};

const tensors = (value: unknown): TensorSpec[] => (Array.isArray(value) ? (value as TensorSpec[]) : []);

/** One version as the API shows it; `parentNumber` turns parentVersionId into its version number. */
export function versionView(v: VersionRow, parentNumber: (id: string) => number | null = () => null): ModelVersion {
  const outputs = tensors(v.outputs);
  return {
    version: v.version,
    status: v.status,
    format: v.format,
    createdAt: v.createdAt,
    metrics: v.metrics ?? null,
    inputs: tensors(v.inputs),
    outputs,
    pricingUnit: v.pricingUnit,
    unitsPer: v.unitsPer,
    sizeBytes: Number(v.sizeBytes),
    sha256: v.sha256,
    labels: outputs[0]?.labels?.length ? outputs[0].labels : null,
    featureColumns: v.preprocess === 'tabular' ? tensors(v.inputs).map((t) => t.name) : null,
    preprocessing: v.preprocess === 'tabular' ? (v.preprocessing ?? null) : null,
    parentVersion: v.parentVersionId ? parentNumber(v.parentVersionId) : null,
    quantization: v.quantization ?? null,
    versionId: v.id,
    trainingJobId: v.trainingJobId ?? null,
  };
}

export function modelView(m: ModelRow): Model {
  const number = new Map(m.versions.map((v) => [v.id, v.version]));
  const stable = m.aliases.find((a) => a.name === 'stable');
  const ready = m.versions.filter((v) => v.status === 'READY');
  const served = m.versions.find((v) => v.id === stable?.versionId) ?? ready.at(-1);
  return {
    name: m.name,
    description: m.description,
    task: m.task,
    public: m.tenantId === null,
    downloadsEnabled: m.downloadsEnabled,
    createdAt: m.createdAt,
    versions: m.versions.map((v) => versionView(v, (id) => number.get(id) ?? null)),
    aliases: m.aliases.map((a) => ({
      name: a.name,
      version: number.get(a.versionId) ?? 0,
      canaryVersion: a.canaryVersionId ? (number.get(a.canaryVersionId) ?? null) : null,
      canaryWeight: a.canaryWeight,
    })),
    inputs: served ? tensors(served.inputs) : [],
    outputs: served ? tensors(served.outputs) : [],
  };
}
