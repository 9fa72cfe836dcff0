/**
 * Where start-up time goes, by phase, for LOG_LEVEL=debug: the places that do start-up work
 * (the database factory, the TF.js backend, the catalog, the portal) time themselves here, and
 * main.ts logs the list once the server listens. Process-wide: phases run before and outside
 * Nest's container. Nested phases are counted inside their parent as well.
 */
export interface StartupPhase {
  name: string;
  ms: number;
  /** Milliseconds since the process started, when the phase began. */
  atMs: number;
}

const phases: StartupPhase[] = [];

export const startupProfile = {
  /** Times `fn` as the phase `name` (also when it throws). */
  async time<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    const atMs = performance.now();
    try {
      return await fn();
    } finally {
      phases.push({ name, atMs, ms: performance.now() - atMs });
    }
  },

  record(name: string, atMs: number, ms = performance.now() - atMs): void {
    phases.push({ name, atMs, ms });
  },

  phases(): readonly StartupPhase[] {
    return phases;
  },

  /** One line per phase, in start order: "  1234 ms  (+ 12)  name". */
  format(): string {
    return [...phases]
      .sort((a, b) => a.atMs - b.atMs)
      .map((p) => `${p.ms.toFixed(0).padStart(6)} ms  at ${p.atMs.toFixed(0).padStart(5)}  ${p.name}`)
      .join('\n');
  },
};
