import type { Readable } from 'node:stream';
import { Controller, HttpCode, Param, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '@app/common';
import { actorOf, Ctx, CurrentTenant, RequestContext, RequirePermission } from '@app/auth';
import { DatasetUploadService } from './dataset-upload.service';

/**
 * PUT /uploads/datasets/<token>: the raw bytes of one dataset file, with the same credentials
 * as the API (models:write); answers 201 with the Dataset. Under /uploads/ so the models'
 * octet-stream parser hands the body over as a stream.
 */
@Controller('uploads/datasets')
export class DatasetUploadController {
  constructor(private readonly uploads: DatasetUploadService) {}

  @RequirePermission('models:write')
  // A wildcard, not ':token': Fastify caps a path parameter at 100 characters, a token is longer.
  @Put('*')
  @HttpCode(201)
  put(
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
    @Param('*') token: string,
    @Req() req: FastifyRequest,
  ) {
    const body = req.body as Readable | undefined;
    if (!body || typeof body.pipe !== 'function')
      throw AppError.badInput('send the file as the raw body with Content-Type: application/octet-stream');
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    return this.uploads.receive(
      tenantId,
      { actor: actorOf(ctx.principal), requestId: ctx.requestId },
      token,
      length,
      body,
    );
  }
}
