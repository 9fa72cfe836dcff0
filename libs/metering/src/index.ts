export * from './metering.module';
export * from './metering.service';
export * from './metering.config';
export * from './usage-input';
