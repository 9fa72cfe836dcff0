import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode, keysetPage, newId, sha256Hex } from '@app/common';
import { Dataset as DatasetRow, Prisma, PrismaService, TenantPrisma } from '@app/db';
import { AuditEntry, AuditService } from '@app/audit';
import { TRAINING_CONFIG, TrainingConfig } from '../training.config';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { DatasetFileStore } from './dataset-file-store';
import { ColumnInfo, DatasetFormat, DatasetTable, parseDataset } from './dataset-table';
import { ColumnType, Dataset, DatasetConnection, DatasetFormatEnum } from './dataset.types';

export interface Actor {
  actor: AuditEntry['actor'];
  requestId: string;
}
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,127}$/u;

/**
 * A tenant's datasets: parsed and typed when they arrive (a file that does not parse is never
 * stored), the raw file kept in the dataset store, the row and its audit record committed
 * together. A failed commit removes the stored file.
 */
@Injectable()
export class DatasetService {
  private readonly log = new Logger('Datasets');

  constructor(
    private readonly tenants: TenantPrisma,
    // Plans are global rows; only the caller's own tenant (and so its plan) is read.
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly files: DatasetFileStore,
    @Inject(TRAINING_CONFIG) private readonly config: TrainingConfig,
  ) {}

  async create(
    tenantId: string,
    who: Actor,
    input: { name: string; format: DatasetFormatEnum; content: string },
  ): Promise<Dataset> {
    return this.createFromBytes(tenantId, who, {
      name: input.name,
      format: input.format,
      bytes: Buffer.from(input.content ?? '', 'utf8'),
    });
  }

  /** An inline dataset, or the bytes PUT to a signed upload URL (whose grant fixes the id: one dataset per URL). */
  async createFromBytes(
    tenantId: string,
    who: Actor,
    input: { id?: string; name: string; format: DatasetFormatEnum; bytes: Buffer },
  ): Promise<Dataset> {
    const name = checkName(input.name);
    const bytes = input.bytes;
    await this.checkSize(tenantId, bytes.length);
    const table = this.parse(input.format, bytes);
    const id = input.id ?? newId('ds');
    if (input.id && (await this.tenants.forTenant(tenantId).dataset.count({ where: { id } }))) throw alreadyReceived();
    const uri = await this.files.put(tenantId, id, input.format, bytes);
    try {
      const row = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
        const created = await tx.dataset.create({
          data: {
            id,
            tenantId,
            name,
            format: input.format,
            rows: table.rows,
            sizeBytes: BigInt(bytes.length),
            columns: table.columns as unknown as Prisma.InputJsonValue,
            storageUri: uri,
            sha256: sha256Hex(bytes),
          },
        });
        await this.audit.append(tx, tenantId, {
          actor: who.actor,
          action: 'dataset.create',
          target: { type: 'dataset', id },
          requestId: who.requestId,
          metadata: {
            name,
            format: input.format,
            rows: table.rows,
            columns: table.columns.length,
            sizeBytes: bytes.length,
            sha256: created.sha256,
          },
        });
        return created;
      });
      return datasetView(row);
    } catch (e) {
      // A replayed upload URL raced its first use: the first dataset stands, its file with it.
      if ((e as { code?: string }).code === 'P2002') throw alreadyReceived();
      await this.files.remove(uri).catch((err) => this.log.error(`could not remove ${uri}: ${(err as Error).message}`));
      throw e;
    }
  }

  /** The caller's plan upload limit (bytes), for upload URLs. */
  async planLimit(tenantId: string): Promise<number> {
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { plan: { select: { maxUploadBytes: true } } },
    });
    return Number(tenant?.plan.maxUploadBytes ?? 0n);
  }

  /** The tenant's dataset of this id, or null. */
  async find(tenantId: string, id: string): Promise<Dataset | null> {
    const row = await this.tenants.forTenant(tenantId).dataset.findFirst({ where: { id } });
    return row ? datasetView(row) : null;
  }

  async get(tenantId: string, id: string): Promise<Dataset> {
    return datasetView(await this.row(tenantId, id));
  }

  /** The row (NOT_FOUND for an unknown or another tenant's id). */
  async row(tenantId: string, id: string): Promise<DatasetRow> {
    const row = await this.tenants.forTenant(tenantId).dataset.findUnique({ where: { id } });
    if (!row) throw TrainingError.missing('dataset');
    return row;
  }

  /** The dataset's parsed table, read back from the store (training and evaluation). */
  async table(tenantId: string, id: string): Promise<{ row: DatasetRow; table: DatasetTable }> {
    const row = await this.row(tenantId, id);
    return {
      row,
      table: this.parse(
        row.format as DatasetFormat,
        await this.files.read(row.storageUri, row.format as DatasetFormat),
      ),
    };
  }

  async list(tenantId: string, first = 20, after?: string | null): Promise<DatasetConnection> {
    keysetPage.assertSize(first);
    const db = this.tenants.forTenant(tenantId);
    const [rows, totalCount] = await Promise.all([
      db.dataset.findMany({ where: keysetPage.after(after), orderBy: keysetPage.orderBy, take: first + 1 }),
      db.dataset.count(),
    ]);
    const page = rows.slice(0, first);
    const edges = page.map((r) => ({ node: datasetView(r), cursor: keysetPage.encode(r) }));
    return {
      edges,
      totalCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  async delete(tenantId: string, who: Actor, id: string): Promise<Dataset> {
    const row = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const found = await tx.dataset.findUnique({ where: { id } });
      if (!found) throw TrainingError.missing('dataset');
      await tx.dataset.delete({ where: { id } });
      await this.audit.append(tx, tenantId, {
        actor: who.actor,
        action: 'dataset.delete',
        target: { type: 'dataset', id },
        requestId: who.requestId,
        metadata: { name: found.name, sha256: found.sha256 },
      });
      return found;
    });
    // After the commit: a file whose row is gone is never read again; a failed removal only leaks bytes.
    await this.files
      .remove(row.storageUri)
      .catch((err) => this.log.warn(`dataset file not removed: ${(err as Error).message}`));
    return datasetView(row);
  }

  private parse(format: DatasetFormatEnum | DatasetFormat, bytes: Buffer): DatasetTable {
    if (format !== 'CSV' && format !== 'JSONL')
      throw TrainingError.invalid(TrainingErrorReason.INVALID_FORMAT, 'format must be CSV or JSONL', {
        field: 'format',
      });
    if (bytes.includes(0))
      throw TrainingError.invalid(TrainingErrorReason.INVALID_FORMAT, 'the file is binary, not CSV or JSON Lines text');
    return parseDataset(format, bytes.toString('utf8'), {
      maxColumns: this.config.maxColumns,
      maxRows: this.config.maxRows,
    });
  }

  async checkSize(tenantId: string, size: number): Promise<void> {
    const limit = await this.planLimit(tenantId);
    if (size > limit)
      throw TrainingError.invalid(
        TrainingErrorReason.DATASET_TOO_LARGE,
        `the dataset exceeds your plan's upload limit of ${limit} bytes`,
        { limit },
      );
    if (size === 0) throw TrainingError.invalid(TrainingErrorReason.EMPTY_DATASET, 'the dataset is empty');
  }
}

export function checkName(raw: string): string {
  const name = raw?.trim() ?? '';
  if (!NAME.test(name))
    throw TrainingError.invalid(
      TrainingErrorReason.INVALID_PARAMETER,
      'name: 1-128 letters, digits, spaces, . _ or -',
      { field: 'name' },
    );
  return name;
}

const alreadyReceived = () =>
  new TrainingError(ErrorCode.CONFLICT, 'this upload URL has already received its file', {
    reason: TrainingErrorReason.UPLOAD_ALREADY_RECEIVED,
  });

export function datasetView(r: DatasetRow): Dataset {
  return {
    id: r.id,
    name: r.name,
    format: r.format as DatasetFormatEnum,
    rows: r.rows,
    sizeBytes: Number(r.sizeBytes),
    createdAt: r.createdAt,
    sha256: r.sha256,
    columns: (r.columns as unknown as ColumnInfo[]).map((c) => ({
      name: c.name,
      type: c.type as ColumnType,
      missing: c.missing,
    })),
  };
}
