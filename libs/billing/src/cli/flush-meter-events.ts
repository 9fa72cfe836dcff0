// node dist/libs/billing/src/cli/flush-meter-events.js [--once]
// Runs the meter-event flusher standalone until SIGTERM/SIGINT, or one batch with --once.
import { createStandaloneFlusher } from '../outbox/standalone-flusher';

async function main(): Promise<void> {
  const { flusher, prisma } = await createStandaloneFlusher();
  if (process.argv.includes('--once')) {
    console.log(JSON.stringify(await flusher.flushOnce()));
    await prisma.$disconnect();
    return;
  }
  flusher.start();
  const stop = async () => {
    await flusher.stop();
    await prisma.$disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
