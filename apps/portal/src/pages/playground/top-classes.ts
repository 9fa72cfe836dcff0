export interface ClassScore {
  label: string;
  score: number;
}

function isScoreList(v: unknown): v is { label?: string; className?: string; score?: number; probability?: number }[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    typeof v[0] === 'object' &&
    v[0] !== null &&
    ('label' in v[0] || 'className' in v[0])
  );
}

/**
 * The best classes of the first instance, whichever shape the answer takes: labelled scores
 * ({ label, score } lists) or a row of probabilities with the class names the model declares.
 */
export function topClasses(outputs: unknown, labels: string[] | null | undefined, n = 3): ClassScore[] {
  if (!outputs || typeof outputs !== 'object') return [];
  for (const value of Object.values(outputs as Record<string, unknown>)) {
    const first = Array.isArray(value) && Array.isArray(value[0]) ? value[0] : value;
    if (isScoreList(first)) {
      return first
        .map((s) => ({ label: String(s.label ?? s.className), score: Number(s.score ?? s.probability ?? 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, n);
    }
    if (
      labels?.length &&
      Array.isArray(first) &&
      first.length === labels.length &&
      first.every((x) => typeof x === 'number')
    ) {
      return (first as number[])
        .map((score, i) => ({ label: labels[i]!, score }))
        .sort((a, b) => b.score - a.score)
        .slice(0, n);
    }
  }
  return [];
}
