/** @app/duties: background duties where jobs are consumed (meter-event flusher, scheduled audit export, audit retention purge). */
export { DutiesModule } from './duties.module';
export { BackgroundDuties } from './background-duties.service';
export { AuditPurgeScheduler, AUDIT_PURGE_ACTOR } from './audit-purge.scheduler';
export { AuditExportScheduler, AUDIT_EXPORT_ACTOR } from './audit-export.scheduler';
export type { AuditExportRun } from './audit-export.scheduler';
