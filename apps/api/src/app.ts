import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import secureJsonParse from 'secure-json-parse';
import { AppModule } from './app.module';
import { AppConfig } from './config';
import { createValidationPipe } from './http/pipes';
import { PROBLEM_CONTENT_TYPE, problemOf, ProblemException, sendProblem } from './http/problem';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './http/input-rules';
import { HttpMetrics } from './health/metrics';
import { AppLogger } from './logging/app-logger';
import { logRequests } from './logging/request-log';
import { completeOpenApiDocument } from './http/openapi-contract';
import { installEarlyAuthorization } from './auth/early-authorization';
import { secureDataDir } from './infrastructure/data-dir';
import { ServiceLifecycle } from './lifecycle/service-lifecycle';
import { installDrain, traceShutdownHooks } from './lifecycle/graceful-shutdown';

/** Largest JSON body. */
const JSON_BODY_LIMIT = 1024 * 1024;

/** Builds the API on Fastify; `main.ts` listens, tests call this directly. Stop it with `closeGracefully`. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  await secureDataDir(config, (message) => config.logLevel !== 'silent' && new Logger('DataDir').warn(message));
  const requestTimeout = config.requestTimeoutSeconds * 1000;
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: config.trustProxy,
    // A client has this long to send a whole request, headers and body: slow senders cannot hold connections.
    requestTimeout,
    // A stop drains the connections first (lifecycle/graceful-shutdown.ts); should one be left
    // when Fastify closes, it is not cut (Fastify's default cuts every connection, busy or not).
    forceCloseConnections: false,
    http: { headersTimeout: Math.min(requestTimeout, 60_000), connectionsCheckingInterval: Math.min(requestTimeout, 5_000) },
    // Refusals Fastify and Node make before any route runs are problem+json too.
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => sendProblem(reply, error),
    clientErrorHandler: answerClientError,
  } as ConstructorParameters<typeof FastifyAdapter>[0]);
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  acceptJsonOnly(fastify);

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new AppLogger(config.logLevel, config.logFormat),
    bufferLogs: false,
    bodyParser: false, // our JSON parser above replaces Nest's
  });
  const lifecycle = app.get(ServiceLifecycle);
  installDrain(fastify, lifecycle);
  traceShutdownHooks(app, lifecycle);
  app.useGlobalPipes(createValidationPipe());
  installEarlyAuthorization(app);
  addSecurityHeaders(fastify);
  const metrics = app.get(HttpMetrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: ids would make one series per resource.
    metrics.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
    done();
  });
  if (config.logLevel !== 'silent' && config.logLevel !== 'error') logRequests(fastify);

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

/**
 * Bodies are JSON (the CSV import registers its own parser, for its route only): parsed from
 * strict UTF-8, safely (no prototype poisoning), refused when nested deeper than any request
 * needs (before anything recursive sees them). A POST without a body (invite, resend, ...)
 * is an empty object. Any other content type is 415, saying to send JSON.
 */
function acceptJsonOnly(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body as Buffer).trim();
    } catch {
      return done(new ProblemException(400, 'malformed-json', 'Bad request', 'The request body is not valid UTF-8.'), undefined);
    }
    if (text === '') return done(null, {});
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return done(new ProblemException(422, 'nesting-too-deep', 'Unprocessable content', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
    }
    try {
      done(null, secureJsonParse.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(new ProblemException(400, 'malformed-json', 'Bad request', 'The request body is not valid JSON.'), undefined);
    }
  });
}

/**
 * Every answer: no MIME sniffing, no referrer; answers of the API are never cached (they
 * carry personal data, keys and session tokens); the OpenAPI UI runs under a CSP that allows
 * only its own scripts.
 */
function addSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    const path = request.url.split('?')[0];
    if (path === '/docs' || path.startsWith('/docs/')) {
      reply.header(
        'content-security-policy',
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
    } else if (!reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
}

/**
 * What Node refuses before Fastify sees a request (headers too large, a request that took too
 * long, unparseable HTTP) is answered as problem+json too, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new ProblemException(431, 'request-header-too-large', 'Request header fields too large', 'The request line or headers are too large (a long query string?): at most 16 KiB.')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new ProblemException(408, 'request-timeout', 'Request timeout', 'The request was not received in time.')
        : new ProblemException(400, 'bad-request', 'Bad request', 'The request is not valid HTTP.');
  const { body } = problemOf(refusal);
  const { status, title } = body;
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${text}`,
    );
  } else {
    socket.destroy(error);
  }
}

