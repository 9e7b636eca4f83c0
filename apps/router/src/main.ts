import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { logLevels, validateConfig } from '@kapok/config';
import { runMigrations } from '@kapok/database';
import { RouterModule } from './router.module';

async function bootstrap() {
  const cfg = validateConfig(process.env);
  if (process.env.DB_MIGRATE !== 'false') await runMigrations(cfg.DATABASE_URL);
  const app = await NestFactory.createApplicationContext(RouterModule, { logger: logLevels(cfg.LOG_LEVEL) });
  app.enableShutdownHooks();
  await app.init();
  Logger.log('router started', 'Router');
}

bootstrap().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
