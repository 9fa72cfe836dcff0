import http from 'node:http';
import https from 'node:https';
import { AppError, ErrorCode } from '@app/common';
import { InferenceError, InferenceErrorCode } from '../inference.error';
import type { PredictResult } from '../runtime/inference-runtime';
import type { InferenceInputs, ModelSpec } from '../signature/model-signature';

export const WORKER_SECRET_HEADER = 'x-worker-secret';
export const REMOTE_PREDICT_PATH = '/internal/v1/predict';

/**
 * What the api sends a worker to run: the version's spec with its artifact URI and file digests,
 * never a folder (the api's disk is not the worker's). The worker fetches the files by URI.
 */
export type RemoteModel = Omit<ModelSpec, 'artifactDir'> & { artifactUri: string };

/** The body of REMOTE_PREDICT_PATH. */
export interface RemotePredictRequest {
  model: RemoteModel;
  inputs: InferenceInputs;
  timeoutMs?: number;
}

/**
 * The api's side of real-time inference on a worker (WORKER_URL): the same call as
 * InferenceRuntime.predict, sent to the worker's internal port with the shared secret.
 * Errors come back with their code and reason and are rebuilt as InferenceError/AppError,
 * so callers cannot tell a remote failure from a local one.
 */
export class RemoteInference {
  constructor(
    private readonly workerUrl: string,
    private readonly secret: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    const options = { keepAlive: true, maxSockets: 256 };
    this.agent = workerUrl.startsWith('https:') ? new https.Agent(options) : new http.Agent(options);
  }

  private readonly agent: http.Agent;

  async predict(
    spec: ModelSpec,
    inputs: InferenceInputs,
    options: { timeoutMs?: number } = {},
  ): Promise<PredictResult> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    // A plain Error (INTERNAL to the client): a spec without a URI is the platform's bug.
    if (!spec.artifactUri) throw new Error(`model version ${spec.id} has no artifact URI: it cannot run on a worker`);
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { artifactDir, ...rest } = spec;
    const request: RemotePredictRequest = { model: { ...rest, artifactUri: spec.artifactUri }, inputs, timeoutMs };
    let res: { status: number; text: string };
    try {
      // A little over the worker's own budget, so its TIMEOUT answer wins when it can.
      res = await this.post(JSON.stringify(request), timeoutMs + 5_000);
    } catch (e) {
      throw new InferenceError(
        InferenceErrorCode.BACKEND_UNAVAILABLE,
        'the inference worker is unreachable',
        undefined,
        e,
      );
    }
    // The worker refusing our secret is the platform's misconfiguration, never the caller's:
    // it must not come back as the client's UNAUTHENTICATED. A plain Error reaches clients as
    // INTERNAL with a generic message; the log says what is wrong (never the secret itself).
    if (res.status === 401 || res.status === 403) {
      throw new Error(
        `the inference worker at ${this.workerUrl} refused the api (HTTP ${res.status}): check WORKER_SHARED_SECRET on both sides`,
      );
    }
    const body = parseJson(res.text) as {
      result?: PredictResult;
      error?: { code: string; reason?: string; message: string; details?: Record<string, unknown> };
    };
    if (res.status >= 200 && res.status < 300 && body.result) return body.result;
    const err = body.error ?? { code: 'INTERNAL', message: `worker answered HTTP ${res.status}` };
    if (err.reason && err.reason in InferenceErrorCode)
      throw new InferenceError(err.reason as InferenceErrorCode, err.message, err.details);
    const code = (Object.values(ErrorCode) as string[]).includes(err.code)
      ? (err.code as ErrorCode)
      : ErrorCode.INTERNAL;
    throw new AppError(code, err.message, { reason: err.reason, details: err.details });
  }

  /**
   * One POST on a kept-alive connection. node:http rather than fetch: measured on this path
   * (test/bench/worker-latency.bench.ts), fetch cost about 13 ms more per call than
   * http.request with a keep-alive agent, on every real-time prediction.
   */
  private post(body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
    const url = new URL(REMOTE_PREDICT_PATH, this.workerUrl);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            [WORKER_SECRET_HEADER]: this.secret,
          },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** For the api's /readyz: the worker's own readiness (its /readyz needs no secret). */
  async ready(): Promise<Record<string, unknown>> {
    const res = await this.fetchImpl(new URL('/readyz', this.workerUrl), { signal: AbortSignal.timeout(1_500) });
    const body = (await res.json().catch(() => ({}))) as { checks?: { inference?: { backend?: string } } };
    if (!res.ok) throw new Error(`the worker at ${this.workerUrl} is not ready (HTTP ${res.status})`);
    return { url: this.workerUrl, backend: body.checks?.inference?.backend };
  }
}

/** A RemoteInference when WORKER_URL and WORKER_SHARED_SECRET are set, else null (run in-process). */
export function remoteInferenceFromEnv(env: NodeJS.ProcessEnv = process.env): RemoteInference | null {
  if (!env.WORKER_URL) return null;
  if (!env.WORKER_SHARED_SECRET || env.WORKER_SHARED_SECRET.length < 16)
    throw new Error('WORKER_URL needs WORKER_SHARED_SECRET (16+ characters)');
  return new RemoteInference(env.WORKER_URL, env.WORKER_SHARED_SECRET);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
