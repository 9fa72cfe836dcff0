import { Controller, Get, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig, AppError, MetricsService, ReadinessService, constantTimeEqual } from '@app/common';
import { Public } from '@app/auth';
import { OwnCredentials } from '../auth/own-credentials.decorator';

@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process is up. */
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Database, cache, queue and inference backend are ready (each named, with details). */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.readiness.run();
    reply.status(result.ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: result.ok ? 'ready' : 'not ready', ...result };
  }

  @Get('metrics')
  @OwnCredentials()
  metricsText(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    this.assertMayScrape(req);
    // Set only once allowed: a refusal is the usual JSON error.
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return this.metrics.registry.metrics();
  }

  /**
   * METRICS_TOKEN set: the bearer token is required. Unset: loopback callers only, judged by the
   * socket's address (a forwarded-for header must not make a remote caller look local).
   */
  private assertMayScrape(req: FastifyRequest): void {
    const token = this.config.METRICS_TOKEN;
    if (token) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!m || !constantTimeEqual(m[1]!, token))
        throw AppError.unauthenticated(
          '/metrics needs Authorization: Bearer <METRICS_TOKEN>',
          'METRICS_TOKEN_REQUIRED',
        );
      return;
    }
    const address = req.raw.socket.remoteAddress ?? '';
    if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address)) {
      throw AppError.forbidden(
        '/metrics answers loopback callers only; set METRICS_TOKEN to scrape it remotely',
        'METRICS_LOOPBACK_ONLY',
      );
    }
  }
}
