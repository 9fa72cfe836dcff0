import type { Readable } from 'node:stream';
import { Controller, Get, HttpCode, Inject, Param, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '@app/common';
import { Public } from '@app/auth';
import { BlobNotFound, LocalBlobStore, PresignedBodyRejected, type BlobStore } from '@app/storage';
import { ARTIFACT_STORE, UPLOAD_STAGING, type ArtifactStore } from '../artifacts/artifact-store';

const refused = () =>
  new AppError(ErrorCode.FORBIDDEN, 'the storage link is not valid or has expired', { reason: 'STORAGE_URL_INVALID' });

/**
 * /storage/<token>: the local blob store's presigned PUT and GET URLs (in S3 mode the bucket
 * serves them). Public like S3's: the short-lived signed token is the credential, naming one
 * key, one method, and for a PUT its exact size (and SHA-256 when signed).
 */
@Controller('storage')
export class StorageController {
  private readonly locals: LocalBlobStore[];

  constructor(@Inject(ARTIFACT_STORE) artifacts: ArtifactStore, @Inject(UPLOAD_STAGING) staging: BlobStore) {
    this.locals = [artifacts.blobs, staging].filter((s): s is LocalBlobStore => s instanceof LocalBlobStore);
  }

  @Public()
  @Put('*')
  @HttpCode(201)
  async put(@Param('*') token: string, @Req() req: FastifyRequest) {
    const body = req.body as Readable | undefined;
    if (!body || typeof body.pipe !== 'function')
      throw AppError.badInput('send the bytes as the raw body with Content-Type: application/octet-stream');
    for (const store of this.locals) {
      const grant = store.verifyPresigned(token, 'PUT');
      if (!grant) continue;
      try {
        return await store.receivePresigned(grant, body);
      } catch (e) {
        if (e instanceof PresignedBodyRejected) throw AppError.badInput(e.message, undefined, 'STORAGE_BODY_REJECTED');
        throw e;
      }
    }
    throw refused();
  }

  @Public()
  @Get('*')
  async get(@Param('*') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Readable> {
    for (const store of this.locals) {
      const grant = store.verifyPresigned(token, 'GET');
      if (!grant) continue;
      try {
        const stream = await store.stream(grant.k);
        void reply.header('content-type', 'application/octet-stream');
        return stream;
      } catch (e) {
        if (e instanceof BlobNotFound) throw new AppError(ErrorCode.NOT_FOUND, 'no such object');
        throw e;
      }
    }
    throw refused();
  }
}
