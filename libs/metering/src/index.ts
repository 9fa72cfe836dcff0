export * from './metering.module';
export * from './metering.service';
export * from './metering.config';
export * from './usage-input';
export * from './usage-query.service';
export * from './dto/usage.types';
export * from './usage-rollup.service';
