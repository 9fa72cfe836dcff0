import type { Readable } from 'node:stream';
import { Controller, HttpCode, Param, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { CurrentTenant, RequirePermission } from '@app/auth';
import { ModelUploadService } from './model-upload.service';

/**
 * PUT /uploads/<token>: the raw bytes of one model file. Goes through the global guard like any
 * route (an API key with models:write, or a session with its CSRF token); the token only names
 * what may be uploaded, it is not a credential by itself.
 */
@Controller('uploads')
export class ModelUploadController {
  constructor(private readonly uploads: ModelUploadService) {}

  @RequirePermission('models:write')
  // A wildcard, not ':token': Fastify caps a path parameter at 100 characters, a token is longer.
  @Put('*')
  @HttpCode(201)
  put(@CurrentTenant() tenantId: string, @Param('*') token: string, @Req() req: FastifyRequest) {
    const body = req.body as Readable | undefined;
    if (!body || typeof (body as Readable).pipe !== 'function')
      throw AppError.badInput('send the file as the raw body with Content-Type: application/octet-stream');
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    return this.uploads.receive(tenantId, token, length, body);
  }
}
