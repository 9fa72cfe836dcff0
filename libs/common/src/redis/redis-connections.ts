import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';

// Loaded when REDIS_URL is set, not at every start (embedded mode never needs it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const loadRedis = (): typeof Redis => require('ioredis').default;
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

/**
 * Redis connections when REDIS_URL is set (self-hosted, AWS); null in embedded mode, where
 * callers use their in-process implementation. Subscribers need their own connection.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly log = new Logger('Redis');
  private readonly opened: Redis[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    return !!this.config.REDIS_URL;
  }

  open(name: string): Redis | null {
    if (!this.config.REDIS_URL) return null;
    const r = new (loadRedis())(this.config.REDIS_URL, {
      connectionName: `mas:${name}`,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
    });
    r.on('error', (e) => this.log.warn(`${name}: ${e.message}`));
    this.opened.push(r);
    return r;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.opened.map((r) => r.quit().catch(() => r.disconnect())));
  }
}
