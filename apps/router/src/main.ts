import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, logLevels, validateConfig } from '@kapok/config';
import { runMigrations } from '@kapok/database';
import { RouterMetricsServer } from './router-metrics-server';
import { RouterModule } from './router.module';

async function bootstrap() {
  const cfg = validateConfig(process.env);
  if (process.env.DB_MIGRATE !== 'false') await runMigrations(cfg.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(RouterModule, { logger: logLevels(cfg.LOG_LEVEL) });
  app.enableShutdownHooks();
  await app.init();
  // /metrics and /health on their own port, when one is configured (docs/operations.md)
  const metricsPort = app.get(AppConfig).get('ROUTER_METRICS_PORT');
  if (metricsPort !== undefined) await app.get(RouterMetricsServer).listen(metricsPort, process.env.HOST ?? '0.0.0.0');
  Logger.log('router started', 'Router');
}

bootstrap().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
