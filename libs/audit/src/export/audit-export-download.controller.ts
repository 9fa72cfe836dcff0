import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@app/auth';
import { AuditError, AuditErrorReason } from '../audit.error';
import { AuditExportLinkService } from './audit-export-links';
import { ErrorCode } from '@app/common';

/**
 * GET /audit-exports/<token>/<exportId>.jsonl (or .digest.json): a local export behind the signed,
 * short-lived link exportAuditLog or auditExportDownload gave an audit:read caller. Public: the
 * link is the credential (as a presigned S3 GET is), bound to that one export. Each download is audited.
 */
@Controller('audit-exports')
export class AuditExportDownloadController {
  constructor(private readonly links: AuditExportLinkService) {}

  @Public()
  // A wildcard, not ':token': Fastify caps a path parameter at 100 characters, a token is longer.
  @Get('*')
  async get(@Param('*') rest: string, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const slash = rest.indexOf('/');
    if (slash < 1)
      throw new AuditError(ErrorCode.FORBIDDEN, 'the download link is not valid', {
        reason: AuditErrorReason.DOWNLOAD_LINK_INVALID,
      });
    const ua = req.headers['user-agent'];
    const file = await this.links.download(rest.slice(0, slash), rest.slice(slash + 1), {
      ip: req.ip ?? null,
      userAgent: typeof ua === 'string' ? ua : null,
    });
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'private, no-store');
    return reply.send(file.stream);
  }
}
