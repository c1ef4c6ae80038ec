import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import secureJsonParse from 'secure-json-parse';
import { AppModule } from './app.module';
import { AppConfig } from './config';
import { createValidationPipe } from './http/pipes';
import { HttpMetrics } from './health/metrics';
import { AppLogger } from './logging/app-logger';
import { logRequests } from './logging/request-log';
import { completeOpenApiDocument } from './http/openapi-contract';

/** Builds the API on Fastify; `main.ts` listens, tests call this directly. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: 1024 * 1024, trustProxy: config.trustProxy });
  // A POST without a body (invite, resend, ...) is an empty object, not a 400; JSON is parsed
  // safely (no prototype poisoning).
  const fastify = adapter.getInstance();
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      done(null, secureJsonParse.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      const error = Object.assign(new Error('The request body is not valid JSON.'), { statusCode: 400 });
      done(error, undefined);
    }
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new AppLogger(config.logLevel, config.logFormat),
    bufferLogs: false,
    bodyParser: false, // our JSON parser above replaces Nest's
  });
  app.useGlobalPipes(createValidationPipe());
  const metrics = app.get(HttpMetrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: ids would make one series per resource.
    metrics.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
    done();
  });
  if (config.logLevel !== 'silent' && config.logLevel !== 'error') logRequests(fastify);
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Client portal service')
      .setDescription(
        'Event-sourced back end for client portals. Staff routes take `Authorization: Bearer <api key>`, portal routes the session token of a signed-in portal user. ' +
          'Every write answers the global `position` it wrote; pass it as `minPosition` to any GET to read your own write. ' +
          'Errors are RFC 9457 problem+json; each operation lists the problem types it answers. Authenticated writes accept an `Idempotency-Key` header.',
      )
      .setVersion('1')
      .build(),
  );
  completeOpenApiDocument(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
