import { Controller, ForbiddenException, Get, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '@kapok/config';
import { Metrics, metricsAccess } from '@kapok/metrics';

/** The path of the metrics, outside the /api prefix (setupGatewayApp excludes it), as Prometheus expects. */
export const METRICS_PATH = 'metrics';

/**
 * `GET /metrics`: this gateway's metrics in the Prometheus text format, with the system-wide gauges (waiting now,
 * operators, queue, routers alive: LiveGauges). `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set
 * (401 otherwise), else only for a client on this machine (403 otherwise): metricsAccess.
 */
@ApiExcludeController()
@Controller(METRICS_PATH)
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const verdict = metricsAccess(
      { headers: req.headers, remoteAddress: req.socket.remoteAddress },
      this.config.get('METRICS_TOKEN'),
    );
    if (!verdict.ok) {
      if (verdict.status === 403) throw new ForbiddenException(verdict.message);
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException(verdict.message);
    }
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    return this.metrics.text();
  }
}
