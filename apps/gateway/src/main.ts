import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { KapokLoggingModule, LogLevelName, exitIfShutdownHangs } from '@kapok/common';
import { AppConfig, validateConfig } from '@kapok/config';
import { runMigrations } from '@kapok/database';
import { SeedDemo } from '@kapok/demo';
import { GatewayModule } from './gateway.module';
import { setupGatewayApp } from './setup-app';

/** The gateway process: its module, with the structured logs (docs/operations.md, "Logs"). */
@Module({
  imports: [GatewayModule, KapokLoggingModule.forRoot('gateway', (process.env.LOG_LEVEL ?? 'log') as LogLevelName)],
})
class GatewayProcess {}

async function bootstrap() {
  const cfg = validateConfig(process.env);
  if (process.env.DB_MIGRATE !== 'false') await runMigrations(cfg.DATABASE_URL);
  const app = await NestFactory.create<NestExpressApplication>(GatewayProcess, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  setupGatewayApp(app);
  exitIfShutdownHangs(); // (only now: a SIGTERM before Nest handles it ends the process at once)
  if (cfg.DEMO) await app.get(SeedDemo).execute();
  await app.listen(app.get(AppConfig).get('PORT'), process.env.HOST ?? '0.0.0.0');
  Logger.log(`gateway listening on ${await app.getUrl()}`, 'Gateway');
}

bootstrap().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
