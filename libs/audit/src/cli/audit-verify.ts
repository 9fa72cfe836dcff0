/**
 * npm run audit:verify -- [--tenant <id>] [--from <iso>] [--to <iso>] [--json]
 * Verifies every tenant's audit chain (or one tenant's) against DATABASE_URL, or the embedded
 * database in DATA_DIR. Exit status 0: all verify; 1: a chain is broken; 2: usage or error.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@app/common';
import { createPrismaService } from '@app/db';
import { loadAuditConfig } from '../audit.config';
import { AuditSigner } from '../export/audit-signer';
import { AuditVerifyService } from '../verify/audit-verify.service';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const app = loadConfig();
  const config = loadAuditConfig(app);
  const prisma = await createPrismaService(app, { migrate: false });
  try {
    const verifier = new AuditVerifyService(prisma, new AuditSigner(config), config);
    const range = { from: values.from ? new Date(values.from) : null, to: values.to ? new Date(values.to) : null };
    let broken = 0;
    let cursor: string | undefined;
    for (;;) {
      // A system tool across tenants: it lists tenants, then verifies each one's chain on its own.
      const tenants = values.tenant
        ? [{ id: values.tenant }]
        : await prisma.tenant.findMany({
            select: { id: true },
            orderBy: { id: 'asc' },
            take: 500,
            ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
          });
      for (const { id } of tenants) {
        const started = Date.now();
        const r = await verifier.verify(id, range);
        if (!r.ok) broken++;
        const line = {
          tenantId: id,
          ok: r.ok,
          checked: r.checked,
          firstBadSeq: r.firstBadSeq?.toString() ?? null,
          ms: Date.now() - started,
        };
        console.log(
          values.json
            ? JSON.stringify(line)
            : `${r.ok ? 'ok  ' : 'BAD '} ${id}  checked=${r.checked}${r.ok ? '' : `  firstBadSeq=${line.firstBadSeq}`}  (${line.ms} ms)`,
        );
      }
      if (values.tenant || tenants.length < 500) break;
      cursor = tenants[tenants.length - 1]!.id;
    }
    return broken ? 1 : 0;
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
