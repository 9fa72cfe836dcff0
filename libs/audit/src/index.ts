export * from './canonical-json';
export * from './audit-hash';
export * from './audit.service';
export * from './audit.module';
