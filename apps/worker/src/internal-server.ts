import Fastify, { FastifyInstance } from 'fastify';
import { AppError, MetricsService, ReadinessService, constantTimeEqual, sha256Hex } from '@app/common';
import { InferenceRuntime, REMOTE_PREDICT_PATH, WORKER_SECRET_HEADER } from '@app/inference';
import type { InferenceInputs, ModelSpec } from '@app/inference';

/**
 * The worker's internal port: real-time predictions for the api (RemoteInference), plus
 * health, readiness and metrics. Every inference call must carry the shared secret; it is
 * compared in constant time (as hashes, so lengths leak nothing either).
 */
export function buildInternalServer(deps: {
  runtime: InferenceRuntime;
  readiness: ReadinessService;
  metrics: MetricsService;
  secret?: string;
  bodyLimit?: number;
}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimit ?? 16 * 1024 * 1024 });
  const expected = deps.secret ? sha256Hex(deps.secret) : null;

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const r = await deps.readiness.run();
    return reply.code(r.ok ? 200 : 503).send(r);
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(await deps.metrics.registry.metrics()),
  );

  app.post(REMOTE_PREDICT_PATH, async (req, reply) => {
    const given = String(req.headers[WORKER_SECRET_HEADER] ?? '');
    if (!expected || !constantTimeEqual(sha256Hex(given), expected)) {
      return reply.code(401).send({ error: { code: 'UNAUTHENTICATED', message: 'worker secret required' } });
    }
    const body = req.body as { spec?: ModelSpec; inputs?: InferenceInputs; timeoutMs?: number };
    if (!body?.spec?.id || !body.inputs)
      return reply.code(400).send({ error: { code: 'BAD_USER_INPUT', message: 'spec and inputs are required' } });
    try {
      const result = await deps.runtime.predict(body.spec, body.inputs, { timeoutMs: body.timeoutMs });
      return { result };
    } catch (e) {
      const err =
        e instanceof AppError
          ? { code: e.code, reason: e.reason, message: e.message, details: e.details }
          : { code: 'INTERNAL', message: 'inference failed' };
      return reply.code(e instanceof AppError && e.code === 'BAD_USER_INPUT' ? 400 : 500).send({ error: err });
    }
  });
  return app;
}
