/** @app/duties: background duties where jobs are consumed (meter-event flusher, audit retention purge). */
export { DutiesModule } from './duties.module';
export { BackgroundDuties } from './background-duties.service';
export { AuditPurgeScheduler, AUDIT_PURGE_ACTOR } from './audit-purge.scheduler';
