import { BadRequestException, INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '@kapok/config';
import { RedisIoAdapter } from './sockets/redis-io.adapter';

/** Flattens nested validation errors into messages that name the full path (materialAid.items.0.quantity …). */
function validationMessages(e: ValidationError, prefix = ''): string[] {
  const path = prefix ? `${prefix}.${e.property}` : e.property;
  const own = Object.values(e.constraints ?? {}).map((m) =>
    prefix && m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : m,
  );
  return [...own, ...(e.children ?? []).flatMap((c) => validationMessages(c, path))];
}

/** Everything main.ts and the tests share: prefix, validation, body limits, sockets over Redis, OpenAPI. */
export function setupGatewayApp(app: NestExpressApplication): INestApplication {
  const config = app.get(AppConfig);
  app.setGlobalPrefix('api');
  app.useBodyParser('json', { limit: config.get('BODY_LIMIT') });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => new BadRequestException(errors.flatMap((e) => validationMessages(e))),
    }),
  );
  // Malformed JSON, oversized bodies and other body-parser failures answer in the contract's error shape.
  app.use((err: { status?: number; type?: string; message?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (!err || typeof err.status !== 'number' || err.status < 400 || err.status >= 500) return next(err);
    const error = err.status === 413 ? 'Payload Too Large' : 'Bad Request';
    const message = err.type === 'entity.parse.failed' ? 'Malformed JSON in request body' : (err.message ?? error);
    res.status(err.status).json({ statusCode: err.status, message, error });
  });
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle('Kapok (红棉) hotline API')
    .setDescription(
      'REST surface of Kapok. Operator socket events (namespace /agent) are described in docs/socket-events.md.',
    )
    .setVersion('1')
    .addBearerAuth()
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'intake-key')
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc));
  return app;
}
