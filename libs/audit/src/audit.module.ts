import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/common';
import { AuditService } from './audit.service';
import { AUDIT_CONFIG, AuditConfig, loadAuditConfig } from './audit.config';
import { AuditResolver } from './audit.resolver';
import { AuditQueryService } from './query/audit-query.service';
import { AuditVerifyService } from './verify/audit-verify.service';
import { AuditExportService } from './export/audit-export.service';
import { AuditSigner } from './export/audit-signer';
import { AUDIT_EXPORT_SINK } from './export/export-sink';
import { exportSinkFor } from './export/export-sink.factory';
import { AuditRetentionService } from './retention/audit-retention.service';
import { AuditExportLinkService } from './export/audit-export-links';
import { AuditExportDownloadController } from './export/audit-export-download.controller';

@Global()
@Module({
  providers: [
    AuditService,
    { provide: AUDIT_CONFIG, inject: [APP_CONFIG], useFactory: (app: AppConfig) => loadAuditConfig(app) },
    { provide: AuditSigner, inject: [AUDIT_CONFIG], useFactory: (c: AuditConfig) => new AuditSigner(c) },
    { provide: AUDIT_EXPORT_SINK, inject: [AUDIT_CONFIG], useFactory: (c: AuditConfig) => exportSinkFor(c) },
    AuditQueryService,
    AuditVerifyService,
    AuditExportService,
    AuditExportLinkService,
    AuditRetentionService,
    AuditResolver,
  ],
  controllers: [AuditExportDownloadController],
  exports: [
    AUDIT_CONFIG,
    AuditService,
    AuditVerifyService,
    AuditExportService,
    AuditExportLinkService,
    AuditRetentionService,
  ],
})
export class AuditModule {}
