import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { buildCatalog, CatalogEntry, digestsOfDir } from '@app/inference';
import { Prisma, PrismaService, isUniqueViolation } from '@app/db';
import { newId, startupProfile } from '@app/common';
import { MODELS_CONFIG, ModelsConfig } from '../models.config';
import { DEFAULT_ALIAS } from '../registry/model-registry.service';
import { catalogUri } from './catalog-uri';

export const PUBLIC_NAMESPACE = 'public';

/**
 * At start: builds the built-in models (idempotent, no download) and makes sure each has its
 * public Model, version 1 (READY) and `stable` alias. Safe when several processes start at once.
 */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap {
  private readonly log = new Logger('Catalog');

  constructor(
    // Public catalog rows have tenantId null: no tenant-scoped client may write them.
    private readonly prisma: PrismaService,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const entries = await startupProfile.time('catalog: build or find artifacts', () =>
      buildCatalog(this.config.catalogDir),
    );
    await startupProfile.time('catalog: seed rows', async () => {
      for (const entry of entries) await this.seed(entry);
    });
    this.log.log(`built-in catalog ready: ${entries.map((e) => e.name).join(', ')}`);
  }

  private async seed(entry: CatalogEntry): Promise<void> {
    const v = entry.version;
    const [first, ...rest] = v.outputs;
    const data = {
      format: v.format,
      status: 'READY' as const,
      inputs: v.inputs as unknown as Prisma.InputJsonValue,
      outputs: [{ ...first, ...(v.labels ? { labels: v.labels } : {}) }, ...rest] as unknown as Prisma.InputJsonValue,
      preprocess: v.preprocess ?? null,
      pricingUnit: v.pricingUnit,
      unitsPer: 1,
      // The model's name, not this process's folder: every process resolves it to its own
      // build (ArtifactResolver) and checks the files against that build's digests.
      artifactUri: catalogUri(entry.name, 1),
      metrics: { ...(v.metrics ?? {}), source: v.source } as Prisma.InputJsonValue,
      batching: (v.batching ?? Prisma.JsonNull) as Prisma.InputJsonValue,
    };
    // Every start but the first finds the rows as they would be written: one read, no writes
    // (and no hashing of the artifact: `files` is only written when the version is created).
    if (await this.upToDate(entry, data)) return;
    // Recorded from the files as built now: the runtime refuses them if they change afterwards.
    const files = (await digestsOfDir(entry.artifactDir)) as unknown as Prisma.InputJsonValue;
    try {
      await this.prisma.$transaction(async (tx) => {
        const model = await tx.model.upsert({
          where: { namespace_name: { namespace: PUBLIC_NAMESPACE, name: entry.name } },
          create: {
            id: newId('mdl'),
            tenantId: null,
            namespace: PUBLIC_NAMESPACE,
            name: entry.name,
            description: entry.description,
            task: entry.task,
          },
          update: { description: entry.description, task: entry.task },
        });
        const version = await tx.modelVersion.upsert({
          where: { modelId_version: { modelId: model.id, version: 1 } },
          create: { id: newId('mv'), modelId: model.id, tenantId: null, version: 1, ...data, files },
          // Nothing process-specific is written over another process's row (`files` is set once).
          update: { artifactUri: data.artifactUri, metrics: data.metrics, batching: data.batching },
        });
        await tx.modelAlias.upsert({
          where: { modelId_name: { modelId: model.id, name: DEFAULT_ALIAS } },
          create: { id: newId('als'), modelId: model.id, tenantId: null, name: DEFAULT_ALIAS, versionId: version.id },
          update: {},
        });
      });
    } catch (e) {
      // Another process seeded the same row between our read and write: it is there now.
      if (!isUniqueViolation(e)) throw e;
    }
  }

  /** True when the model, its version 1 (as seeding would update it) and `stable` are stored. */
  private async upToDate(
    entry: CatalogEntry,
    data: { artifactUri: string; metrics: unknown; batching: unknown },
  ): Promise<boolean> {
    const model = await this.prisma.model.findUnique({
      where: { namespace_name: { namespace: PUBLIC_NAMESPACE, name: entry.name } },
      select: {
        description: true,
        task: true,
        versions: { where: { version: 1 }, select: { artifactUri: true, metrics: true, batching: true } },
        aliases: { where: { name: DEFAULT_ALIAS }, select: { id: true } },
      },
    });
    const stored = model?.versions[0];
    // As JSON: what the database gives back (JSON null, no undefined keys; key order is ignored).
    const json = (x: unknown) => (x === Prisma.JsonNull ? null : JSON.parse(JSON.stringify(x ?? null)));
    return (
      !!stored &&
      model.aliases.length === 1 &&
      model.description === entry.description &&
      model.task === entry.task &&
      stored.artifactUri === data.artifactUri &&
      isDeepStrictEqual(stored.metrics, json(data.metrics)) &&
      // `files` is not compared: it is written once, and each process checks its own build's digests.
      isDeepStrictEqual(stored.batching, json(data.batching))
    );
  }
}
