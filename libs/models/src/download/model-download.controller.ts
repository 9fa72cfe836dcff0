import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError } from '@app/common';
import { Public } from '@app/auth';
import { ModelDownloadService } from './model-download.service';

/**
 * GET /downloads/<token>/<file>: model.json and its shards behind a signed download URL. Public
 * because the loader on a device sends no credentials: the short-lived token is the credential,
 * and any origin may fetch with it (CORS *), as TF.js in a browser page elsewhere would.
 */
@Controller('downloads')
export class ModelDownloadController {
  constructor(private readonly downloads: ModelDownloadService) {}

  @Public()
  // A wildcard, not ':token': Fastify caps a path parameter at 100 characters, a token is longer.
  @Get('*')
  async get(@Param('*') rest: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const slash = rest.indexOf('/');
    if (slash < 1) throw AppError.badInput('download URLs look like /downloads/<token>/model.json');
    const file = await this.downloads.read(rest.slice(0, slash), rest.slice(slash + 1));
    void reply
      .header('content-type', file.contentType)
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'private, max-age=60');
    return file.bytes;
  }
}
