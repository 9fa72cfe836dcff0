import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import { ConfigError, MetricsService, ReadinessService } from '@app/common';
import { preflightDatabase } from '@app/db';
import { InferenceRuntime } from '@app/inference';
import { BackgroundDuties } from '@app/duties';
import { JobConsumer } from '@app/jobs';
import { ArtifactResolver } from '@app/models';
import { loadQueueConfig } from '@app/queue';
import { buildInternalServer } from './internal-server';
import { WorkerModule } from './worker.module';

/**
 * The inference worker: consumes the job queue (QUEUE_DRIVER), serves real-time inference on
 * WORKER_PORT for the api, runs the background duties (Stripe meter-event flusher when
 * STRIPE_SECRET_KEY is set, audit retention purge every AUDIT_PURGE_INTERVAL_MS), and drains on
 * SIGTERM: stop taking jobs and the duties, finish the jobs in hand
 * (within WORKER_SHUTDOWN_GRACE_MS; an unfinished job's lease runs out and another worker
 * resumes it from its last chunk), then close.
 */
async function main(): Promise<void> {
  // WORKER_MODE decides, whatever JOBS_CONSUME says: an inherited JOBS_CONSUME=0 (the api's
  // setting) once left workers idle with no error. Set before the modules read it.
  const mode = loadQueueConfig(process.env).WORKER_MODE;
  process.env.JOBS_CONSUME = mode === 'realtime' ? '0' : '1';
  const config = loadQueueConfig(process.env);
  const log = new Logger('Worker');
  await preflightDatabase(process.env.DATABASE_URL || undefined);
  const ctx = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  ctx.useLogger(ctx.get(PinoLogger));
  const runtime = ctx.get(InferenceRuntime);
  const backend = await runtime.init();
  const consumer = ctx.get(JobConsumer);
  if (mode !== 'realtime') await consumer.start(); // already started by its bootstrap hook (JOBS_CONSUME=1): a no-op
  if (!config.WORKER_SHARED_SECRET)
    log.warn('WORKER_SHARED_SECRET is not set: real-time inference on the internal port is refused');
  const artifacts = ctx.get(ArtifactResolver);
  const server = buildInternalServer({
    runtime,
    readiness: ctx.get(ReadinessService),
    metrics: ctx.get(MetricsService),
    fetchArtifact: (uri, files) => artifacts.resolveSent(uri, files),
    secret: config.WORKER_SHARED_SECRET,
  });
  await server.listen({ port: config.WORKER_PORT, host: config.WORKER_HOST });
  const address = server.server.address();
  log.log(
    `worker ready (${mode}): backend ${backend}, queue ${config.driver}${mode === 'realtime' ? ' (not consumed)' : ''}, internal port ${typeof address === 'object' && address ? address.port : config.WORKER_PORT}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.log(`${signal}: draining`);
    const force = setTimeout(() => {
      log.warn('drain took too long: exiting; unfinished jobs resume elsewhere when their lease expires');
      process.exit(1);
    }, config.WORKER_SHUTDOWN_GRACE_MS);
    force.unref();
    await consumer.stop();
    // The flusher finishes the batch it is sending (rows stay claimed otherwise until METER_CLAIM_MS).
    await ctx.get(BackgroundDuties).stop();
    await server.close();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
