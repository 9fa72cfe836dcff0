import { Global, Injectable, Module } from '@nestjs/common';

export type ReadinessCheck = () => Promise<Record<string, unknown> | void>;

/**
 * /readyz asks every registered check. Libraries register their own (database, Redis, queue,
 * inference backend) so that the health endpoint needs to know none of them.
 */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async run(
    timeoutMs = 2_000,
  ): Promise<{ ok: boolean; checks: Record<string, { ok: boolean; error?: string } & Record<string, unknown>> }> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          });
          const info = (await Promise.race([check(), timeout])) ?? {};
          return [name, { ok: true, ...info }] as const;
        } catch (e) {
          return [name, { ok: false, error: (e as Error).message }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ok: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
  }
}

@Global()
@Module({ providers: [ReadinessService], exports: [ReadinessService] })
export class ReadinessModule {}
