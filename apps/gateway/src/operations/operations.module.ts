import { Module } from '@nestjs/common';
import { AuthModule } from '@kapok/auth';
import { MetricsModule } from '@kapok/metrics';
import { RoutingModule } from '@kapok/routing';
import { LiveGauges } from './live-gauges';
import { MetricsController } from './metrics.controller';
import { QueueDashboard, QueueDashboardPasses } from './queue-dashboard';
import { QueueDashboardController } from './queue-dashboard.controller';

/**
 * What the engineer on call reads (docs/operations.md): `/metrics` with the system-wide gauges, and the admins'
 * read-only queue dashboard (mounted by setupGatewayApp). Readiness is `/api/health/ready` (HealthController).
 */
@Module({
  imports: [MetricsModule, AuthModule, RoutingModule],
  controllers: [MetricsController, QueueDashboardController],
  providers: [LiveGauges, QueueDashboard, QueueDashboardPasses],
  exports: [QueueDashboard],
})
export class OperationsModule {}
