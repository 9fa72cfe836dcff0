import Fastify, { FastifyInstance } from 'fastify';
import { AppError, ErrorCode, MetricsService, ReadinessService, constantTimeEqual, sha256Hex } from '@app/common';
import { InferenceRuntime, REMOTE_PREDICT_PATH, WORKER_SECRET_HEADER } from '@app/inference';
import type { RemotePredictRequest } from '@app/inference';
import type { ResolvedArtifact } from '@app/models';

/** Fetches a version's artifact by its URI into this process (ArtifactResolver.resolveSent). */
export type ArtifactFetcher = (uri: unknown, files?: { path: string; sha256: string }[]) => Promise<ResolvedArtifact>;

/**
 * The worker's internal port: real-time predictions for the api (RemoteInference), plus
 * health, readiness and metrics. Every inference call must carry the shared secret; it is
 * compared in constant time (as hashes, so lengths leak nothing either). The api names the
 * version by its artifact URI and digests; the worker fetches the files itself (its own
 * catalog build, the artifact store) and never loads a folder the request names.
 */
export function buildInternalServer(deps: {
  runtime: InferenceRuntime;
  readiness: ReadinessService;
  metrics: MetricsService;
  fetchArtifact: ArtifactFetcher;
  secret?: string;
  bodyLimit?: number;
}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimit ?? 16 * 1024 * 1024 });
  const expected = deps.secret ? sha256Hex(deps.secret) : null;
  const served = deps.metrics.counter(
    'worker_realtime_predictions_total',
    'Real-time predictions run on this worker for the api, by outcome',
    ['outcome'],
  );

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
    const body = req.body as Partial<RemotePredictRequest> & { spec?: unknown };
    const model = body?.model as (Partial<RemotePredictRequest['model']> & { artifactDir?: unknown }) | undefined;
    // A folder is a path on the sender's disk: refused, whatever it is (only URIs are fetched).
    if (body?.spec !== undefined || model?.artifactDir !== undefined)
      return reply.code(400).send({
        error: {
          code: ErrorCode.BAD_USER_INPUT,
          reason: 'ARTIFACT_PATH_REFUSED',
          message: 'a worker runs a model by its artifact URI, never by a folder path',
        },
      });
    if (!model?.id || !model.artifactUri || !body.inputs)
      return reply
        .code(400)
        .send({ error: { code: 'BAD_USER_INPUT', message: 'model (with artifactUri) and inputs are required' } });
    try {
      const artifact = await deps.fetchArtifact(model.artifactUri, model.files);
      const spec = { ...(model as RemotePredictRequest['model']), artifactDir: artifact.dir, files: artifact.files };
      const result = await deps.runtime.predict(spec, body.inputs, { timeoutMs: body.timeoutMs });
      served.inc({ outcome: 'ok' });
      return { result };
    } catch (e) {
      served.inc({ outcome: 'error' });
      const err =
        e instanceof AppError
          ? { code: e.code, reason: e.reason, message: e.message, details: e.details }
          : { code: 'INTERNAL', message: 'inference failed' };
      return reply.code(e instanceof AppError && e.code === 'BAD_USER_INPUT' ? 400 : 500).send({ error: err });
    }
  });
  return app;
}
