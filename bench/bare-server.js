'use strict';
/**
 * Baseline for the benchmark: the same HTTP stack as the API (NestJS 11 + FastifyAdapter), one
 * route, no validation, no storage. Plain JS, decorators applied by hand.
 *
 *   PORT=0 node bench/bare-server.js   -> prints {"port":N} on stdout once listening
 */
require('reflect-metadata');
const { Module, Controller, Post, HttpCode, Body } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

class BareController {
  bare(body) {
    // Touch the parsed body, as a real handler would, but do nothing with it.
    return { ok: body !== undefined };
  }
}
Controller('')(BareController);
Reflect.decorate(
  [Post('bare'), HttpCode(201)],
  BareController.prototype,
  'bare',
  Object.getOwnPropertyDescriptor(BareController.prototype, 'bare'),
);
Body()(BareController.prototype, 'bare', 0);
Reflect.defineMetadata('design:paramtypes', [Object], BareController.prototype, 'bare');

class BareModule {}
Module({ controllers: [BareController] })(BareModule);

async function main() {
  const app = await NestFactory.create(BareModule, new FastifyAdapter(), { logger: ['error', 'fatal'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
