// node dist/libs/billing/src/cli/meter-dead-letters.js [--retry]
// Lists meter events that exhausted their attempts (status DEAD). --retry puts them back to
// PENDING with a fresh attempt count: safe, their identifiers keep Stripe from billing twice.
import { loadConfig } from '@app/common';
import { createPrismaService } from '@app/db';

async function main(): Promise<void> {
  const prisma = await createPrismaService(loadConfig());
  try {
    // Operators' view across all tenants.
    const dead = await prisma.meterEventOutbox.findMany({
      where: { status: 'DEAD' },
      orderBy: { createdAt: 'asc' },
      take: 1000,
    });
    console.table(
      dead.map((d) => ({
        tenantId: d.tenantId,
        identifier: d.identifier,
        value: Number(d.value),
        attempts: d.attempts,
        lastError: d.lastError,
      })),
    );
    if (process.argv.includes('--retry')) {
      const { count } = await prisma.meterEventOutbox.updateMany({
        where: { status: 'DEAD' },
        data: { status: 'PENDING', attempts: 0, nextAttemptAt: new Date() },
      });
      console.log(`requeued ${count}`);
    }
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
