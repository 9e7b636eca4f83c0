import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Db } from '@kapok/database';
import { RedisClient, RouterHeartbeats } from '@kapok/realtime';
import { GatewayDrain } from '../shutdown/gateway-drain';

/** p, or a rejection after ms; the timer is cleared either way (a pending one kept the process alive for ms). */
const within = <T>(p: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
};

const upOrDown = (p: Promise<unknown>): Promise<'up' | 'down'> =>
  within(p, 2000).then(
    () => 'up' as const,
    () => 'down' as const,
  );

/**
 * `/api/health`: liveness (Postgres and Redis answer this gateway). `/api/health/ready`: readiness, what a load
 * balancer, the compose healthcheck and the launcher wait for: this gateway can take intake (Postgres and Redis
 * answer) and at least one router is consuming the routing queue (a heartbeat within 15 s: RouterHeartbeats).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
    private readonly heartbeats: RouterHeartbeats,
    private readonly drain: GatewayDrain,
  ) {}

  @Get()
  async check() {
    const [postgres, redis] = await Promise.all([upOrDown(this.db.ping()), upOrDown(this.redis.ping())]);
    const body = { status: postgres === 'up' && redis === 'up' ? 'ok' : 'error', postgres, redis };
    if (body.status !== 'ok') throw new ServiceUnavailableException(body);
    return body;
  }

  /**
   * 200 `{ status: 'ready', postgres, redis, routers }`; 503 with the same fields and `missing` otherwise.
   * A gateway shutting down is not ready at once: `missing: ['shutting_down']` (GatewayDrain).
   */
  @Get('ready')
  async ready() {
    if (this.drain.draining) {
      throw new ServiceUnavailableException({ status: 'not_ready', missing: ['shutting_down'] });
    }
    const [postgres, redis, routers] = await Promise.all([
      upOrDown(this.db.ping()),
      upOrDown(this.redis.ping()),
      within(this.heartbeats.alive(), 2000).catch(() => 0),
    ]);
    const missing = [
      ...(postgres === 'up' ? [] : ['postgres']),
      ...(redis === 'up' ? [] : ['redis']),
      ...(routers > 0 ? [] : ['router']),
    ];
    const body = { status: missing.length ? 'not_ready' : 'ready', postgres, redis, routers };
    if (missing.length) throw new ServiceUnavailableException({ ...body, missing });
    return body;
  }
}
