// The chaos test's flusher, as a real child process: `node -r ./test/bench/register.js
// test/support/billing-flusher-child.ts`, configured by the environment (DATABASE_URL of the
// test database, STRIPE_API_BASE of the fake). It flushes in a loop and prints one line per
// batch so the parent can kill it with SIGKILL mid-flush.
import { createStandaloneFlusher } from '@app/billing/outbox/standalone-flusher';

async function main(): Promise<void> {
  const { flusher } = await createStandaloneFlusher();
  for (;;) {
    const r = await flusher.flushOnce();
    process.stdout.write(`flushed ${JSON.stringify(r)}\n`);
    if (r.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
