import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Db } from '@kapok/database';
import { RedisClient } from '@kapok/realtime';

/** p, or a rejection after ms; the timer is cleared either way (a pending one kept the process alive for ms). */
const within = <T>(p: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
  ) {}

  @Get()
  async check() {
    const [postgres, redis] = await Promise.all([
      within(this.db.ping(), 2000).then(
        () => 'up',
        () => 'down',
      ),
      within(this.redis.ping(), 2000).then(
        () => 'up',
        () => 'down',
      ),
    ]);
    const body = { status: postgres === 'up' && redis === 'up' ? 'ok' : 'error', postgres, redis };
    if (body.status !== 'ok') throw new ServiceUnavailableException(body);
    return body;
  }
}
