/** What a TF.js model.json tells about itself. */
export interface ArtifactSummary {
  format: 'layers' | 'graph';
  problems: string[];
}

/**
 * Checks a TF.js artifact before it is sent, so that the common mistakes get a clear message at
 * once instead of after a long upload: no model.json, model.json not JSON, a weight shard the
 * manifest names but the selection lacks.
 */
export async function checkArtifact(files: File[]): Promise<ArtifactSummary> {
  const manifest = files.find((f) => f.name === 'model.json');
  if (!manifest) return { format: 'layers', problems: ['Select model.json together with its weight files (*.bin).'] };
  let json: { format?: string; modelTopology?: unknown; weightsManifest?: { paths?: string[] }[] };
  try {
    json = JSON.parse(await manifest.text());
  } catch {
    return { format: 'layers', problems: ['model.json is not valid JSON.'] };
  }
  const problems: string[] = [];
  if (!json.modelTopology) problems.push('model.json has no modelTopology: is it a TF.js LayersModel or GraphModel?');
  const names = new Set(files.map((f) => f.name));
  const wanted = (json.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
  const missing = wanted.filter((p) => !names.has(p.split('/').pop()!));
  if (missing.length) problems.push(`Missing weight files named in model.json: ${missing.join(', ')}.`);
  return { format: json.format === 'graph-model' ? 'graph' : 'layers', problems };
}

/** Reads a file as base64 without the data-URL prefix. */
export function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error(`cannot read ${file.name}`));
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.readAsDataURL(file);
  });
}
