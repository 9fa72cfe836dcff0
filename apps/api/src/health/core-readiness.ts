import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, ReadinessService } from '@app/common';
import { PrismaService } from '@app/db';

/** Registers the checks that belong to no domain library: the database and Redis. */
@Injectable()
export class CoreReadiness implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly prisma: PrismaService,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  onModuleInit(): void {
    this.readiness.register('database', async () => {
      await this.prisma.ping();
      return { mode: this.prisma.mode };
    });
    this.readiness.register('cache', async () => {
      if (!this.redis) return { mode: 'in-process' };
      await this.redis.ping();
      return { mode: 'redis' };
    });
  }
}
