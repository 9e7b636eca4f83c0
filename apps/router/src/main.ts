import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { KapokLoggingModule, LogLevelName, exitIfShutdownHangs } from '@kapok/common';
import { AppConfig, validateConfig } from '@kapok/config';
import { runMigrations } from '@kapok/database';
import { RouterMetricsServer } from './router-metrics-server';
import { RouterModule } from './router.module';

/** The router process: its module, with the structured logs (docs/operations.md, "Logs"). */
@Module({
  imports: [RouterModule, KapokLoggingModule.forRoot('router', (process.env.LOG_LEVEL ?? 'log') as LogLevelName)],
})
class RouterProcess {}

async function bootstrap() {
  const cfg = validateConfig(process.env);
  if (process.env.DB_MIGRATE !== 'false') await runMigrations(cfg.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(RouterProcess, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  exitIfShutdownHangs(); // (only now: a SIGTERM before Nest handles it ends the process at once)
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
