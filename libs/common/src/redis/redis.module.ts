import { Global, Module } from '@nestjs/common';
import { LimiterFactory } from '../limits/flexible-limiter';
import { RedisConnections } from './redis-connections';

export { RedisConnections, loadRedis } from './redis-connections';

export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    RedisConnections,
    LimiterFactory,
    { provide: REDIS, inject: [RedisConnections], useFactory: (c: RedisConnections) => c.open('main') },
  ],
  exports: [RedisConnections, LimiterFactory, REDIS],
})
export class RedisModule {}
