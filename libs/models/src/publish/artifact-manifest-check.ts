import { ArtifactFile, isSafeArtifactPath } from '../artifacts/artifact-store';
import { ModelError, ModelErrorReason } from '../model.error';

interface WeightEntry {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown };
}
interface WeightGroup {
  paths?: unknown;
  weights?: unknown;
}

const BYTES_PER: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
  int8: 1,
  int16: 2,
};

const bad = (message: string, details?: Record<string, unknown>) =>
  ModelError.invalid(ModelErrorReason.INVALID_ARTIFACT, message, details);

/**
 * Checks a TF.js artifact before anything runs it: model.json parses, its format matches the
 * declared one, every shard in weightsManifest is present with exactly the byte size its
 * weights need, and no file is left over. A truncated or lying artifact stops here.
 */
export function checkArtifact(format: 'layers' | 'graph', files: ArtifactFile[]): { sizeBytes: number } {
  const byPath = new Map<string, ArtifactFile>();
  for (const f of files) {
    if (!isSafeArtifactPath(f.path)) throw bad(`file path "${f.path}" is not a safe relative path`);
    if (byPath.has(f.path)) throw bad(`file "${f.path}" given twice`);
    byPath.set(f.path, f);
  }
  const json = byPath.get('model.json');
  if (!json) throw bad('model.json is missing');
  let manifest: { format?: unknown; modelTopology?: unknown; weightsManifest?: unknown };
  try {
    manifest = JSON.parse(json.bytes.toString('utf8'));
  } catch {
    throw bad('model.json is not valid JSON');
  }
  if (
    !manifest ||
    typeof manifest !== 'object' ||
    !manifest.modelTopology ||
    typeof manifest.modelTopology !== 'object'
  )
    throw bad('model.json has no modelTopology');
  const declared = typeof manifest.format === 'string' ? manifest.format : undefined;
  const isGraph = declared
    ? declared === 'graph-model'
    : Array.isArray((manifest.modelTopology as { node?: unknown }).node);
  if ((format === 'graph') !== isGraph)
    throw bad(`model.json holds a ${isGraph ? 'graph' : 'layers'} model, not ${format}`);
  if (!Array.isArray(manifest.weightsManifest)) throw bad('model.json has no weightsManifest');

  const used = new Set(['model.json']);
  for (const [g, group] of (manifest.weightsManifest as WeightGroup[]).entries()) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights))
      throw bad(`weightsManifest[${g}] needs paths and weights`);
    const expected = (group.weights as WeightEntry[]).reduce(
      (n, w, i) => n + weightBytes(w, `weightsManifest[${g}].weights[${i}]`),
      0,
    );
    let actual = 0;
    for (const p of group.paths as unknown[]) {
      const file = typeof p === 'string' ? byPath.get(p) : undefined;
      if (!file) throw bad(`shard "${String(p)}" named in weightsManifest was not uploaded`);
      used.add(file.path);
      actual += file.bytes.length;
    }
    if (actual !== expected)
      throw bad(`weightsManifest[${g}]: shards hold ${actual} bytes, its weights need ${expected}`, {
        expected,
        actual,
      });
  }
  const extra = [...byPath.keys()].filter((p) => !used.has(p));
  if (extra.length) throw bad(`files not referenced by model.json: ${extra.join(', ')}`);
  return { sizeBytes: files.reduce((n, f) => n + f.bytes.length, 0) };
}

function weightBytes(w: WeightEntry, where: string): number {
  if (!Array.isArray(w?.shape) || w.shape.some((d) => !Number.isInteger(d) || (d as number) < 0))
    throw bad(`${where}: invalid shape`);
  const dtype = String(w.quantization?.dtype ?? w.dtype);
  const per = BYTES_PER[dtype];
  if (!per) throw bad(`${where}: unsupported dtype ${dtype}`);
  const count = (w.shape as number[]).reduce((a, b) => a * b, 1);
  if (count > 2 ** 31) throw bad(`${where}: too large`);
  return count * per;
}
