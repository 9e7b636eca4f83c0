import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig, logLevels, validateConfig } from '@kapok/config';
import { runMigrations } from '@kapok/database';
import { SeedDemo } from '@kapok/demo';
import { GatewayModule } from './gateway.module';
import { setupGatewayApp } from './setup-app';

async function bootstrap() {
  const cfg = validateConfig(process.env);
  if (process.env.DB_MIGRATE !== 'false') await runMigrations(cfg.DATABASE_URL);
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule, {
    logger: logLevels(cfg.LOG_LEVEL),
  });
  setupGatewayApp(app);
  if (cfg.DEMO) await app.get(SeedDemo).execute();
  await app.listen(app.get(AppConfig).get('PORT'), process.env.HOST ?? '0.0.0.0');
  Logger.log(`gateway listening on ${await app.getUrl()}`, 'Gateway');
}

bootstrap().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
