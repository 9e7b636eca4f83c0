import {
  ArgumentMetadata,
  BadRequestException,
  INestApplication,
  RequestMethod,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppConfig } from '@kapok/config';
import { inspectUntrusted } from './sockets/payloads';
import { RedisIoAdapter } from './sockets/redis-io.adapter';
import { serveConsole } from './console/serve-console';
import { hardenHttp } from './http-hardening';
import { DatabaseUnavailableFilter } from './http/database-unavailable.filter';
import { requestIdMiddleware } from './http/request-id';
import { GatewayDrain } from './shutdown/gateway-drain';
import { METRICS_PATH } from './operations/metrics.controller';
import { mountQueueDashboard } from './operations/queue-dashboard';

/** Flattens nested validation errors into messages that name the full path (materialAid.items.0.quantity …). */
function validationMessages(e: ValidationError, prefix = ''): string[] {
  const path = prefix ? `${prefix}.${e.property}` : e.property;
  const own = Object.values(e.constraints ?? {}).map((m) =>
    prefix && m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : m,
  );
  return [...own, ...(e.children ?? []).flatMap((c) => validationMessages(c, path))];
}

/**
 * The ValidationPipe, with two checks in front of it for request bodies bound to a DTO class: the body must be an
 * object (a JSON array is not a DTO; class-transformer would read it as an object with properties 0, 1, …), and
 * it must pass inspectUntrusted (no nesting deep enough to overflow the transformer's stack, no NUL characters,
 * which PostgreSQL refuses): both answer 400 naming the path instead of a 500.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && this.toValidate(metadata)) {
      if (Array.isArray(value)) throw new BadRequestException(['The request body must be a JSON object, not an array']);
      const problem = inspectUntrusted(value);
      if (problem) throw new BadRequestException([problem]);
    }
    return super.transform(value, metadata);
  }
}

/** True when a request body that body-parser refused in strict mode is valid JSON (null, "text", 5 …). */
function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Everything main.ts and the tests share: HTTP hardening, prefix, validation, body limits, sockets over Redis, OpenAPI. */
export function setupGatewayApp(app: NestExpressApplication): INestApplication {
  const config = app.get(AppConfig);
  // Security headers, trust proxy, no-store on the API: before every other middleware, route and static file.
  hardenHttp(app, config);
  app.use(app.get(GatewayDrain).closeConnections); // a gateway shutting down lets its keep-alive clients go
  // /metrics stays where Prometheus looks for it (MetricsController)
  app.setGlobalPrefix('api', { exclude: [{ path: METRICS_PATH, method: RequestMethod.GET }] });
  app.useBodyParser('json', { limit: config.get('BODY_LIMIT') });
  // Registered here (Nest would add its own at init, after the error handler below) so that form bodies have the
  // same limit and their errors the same shape.
  app.useBodyParser('urlencoded', { limit: config.get('BODY_LIMIT'), extended: true });
  // (after the body parsers, whose stream callbacks would not keep the request's context)
  app.use(requestIdMiddleware);
  // No text/csv parser here: a CSV body is read only by the routes that take one, after their guards
  // (CsvBodyInterceptor, e.g. the roster import), so nobody can make every route read a megabyte unauthenticated.
  app.useGlobalPipes(
    new BodyValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      exceptionFactory: (errors) => new BadRequestException(errors.flatMap((e) => validationMessages(e))),
    }),
  );
  // Malformed JSON, oversized bodies and other body-parser failures answer in the contract's error shape.
  app.use(
    (
      err: { status?: number; type?: string; message?: string; body?: unknown },
      _req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      if (!err || typeof err.status !== 'number' || err.status < 400 || err.status >= 500) return next(err);
      const error = STATUS_CODES[err.status] ?? 'Bad Request';
      const message =
        err.type === 'entity.parse.failed'
          ? isJson(err.body)
            ? 'The request body must be a JSON object'
            : 'Malformed JSON in request body'
          : err.status === 413
            ? `The request body is larger than ${config.get('BODY_LIMIT')}`
            : (err.message ?? error);
      res.status(err.status).json({ statusCode: err.status, message, error });
    },
  );
  // The database unreachable → 503 with Retry-After (a gateway retries), everything else as Nest answers it.
  app.useGlobalFilters(new DatabaseUnavailableFilter(app.getHttpAdapter()));
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  mountQueueDashboard(app); // the admins' read-only BullMQ dashboard at /api/admin/queues
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
  // The web console (apps/console, built into dist/console) under /console.
  serveConsole(app);
  return app;
}
