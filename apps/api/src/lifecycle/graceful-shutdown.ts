import { Logger } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:http';
import { ServiceLifecycle } from './service-lifecycle';

/**
 * Stops the API in the order a load balancer and the stores need, which is not the order of
 * Nest's `app.close()`: that one runs the `onModuleDestroy` and `beforeApplicationShutdown`
 * hooks (imports stop there) while the HTTP server still takes requests, and then closes it
 * through Fastify, which refuses in-process requests (the pages' calls of the API) from the
 * moment it begins to close. Here:
 *
 * 1. Readiness answers 503 from now on.
 * 2. The HTTP server stops taking requests: the listening socket closes, idle keep-alive
 *    connections close, the requests in flight finish (each answer says `Connection: close`,
 *    and its connection closes once it is answered); resolved once no connection is left.
 * 3. `app.close()`: the background work stops (imports after their rows in flight, the
 *    reactors, the email sender, the projections after the batch they hold, with its
 *    checkpoint), then the stores close (the global infrastructure module's hook runs last).
 */
export async function closeGracefully(app: NestFastifyApplication): Promise<void> {
  const lifecycle = app.get(ServiceLifecycle, { strict: false });
  const logger = new Logger('Shutdown');
  if (!lifecycle.draining) {
    lifecycle.beginDraining();
    logger.log(`Taking no new requests; waiting for ${lifecycle.requestsInFlight} in flight`);
  }
  const server = app.getHttpServer() as Server;
  // Node's close stops listening, closes the idle connections and calls back once the last connection has ended.
  await lifecycle.running('HTTP drain', () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())));
  logger.log('Requests answered; stopping the background work, then the stores');
  await app.close();
}

/**
 * While draining: every answer closes its connection, and each finished request closes the
 * connections it leaves idle (an answer whose headers went out before the drain began kept
 * its connection open). Requests are tracked so that a stop that overruns can name them.
 */
export function installDrain(fastify: FastifyInstance, lifecycle: ServiceLifecycle): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    lifecycle.requestStarted(request.id, `${request.method} ${request.routeOptions.url ?? '(no route)'}`);
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.draining) reply.header('connection', 'close');
    done(null, payload);
  });
  const ended = (id: string) => {
    lifecycle.requestEnded(id);
    if (lifecycle.draining) setImmediate(() => (fastify.server as Server).closeIdleConnections());
  };
  fastify.addHook('onResponse', (request, _reply, done) => {
    ended(request.id);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    ended(request.id);
    done();
  });
}

const SHUTDOWN_HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'] as const;

/**
 * Each shutdown hook of the application (modules, providers, controllers) runs under its name
 * in the lifecycle, so that a stop that overruns its bound can say which one hangs.
 */
export function traceShutdownHooks(app: NestFastifyApplication, lifecycle: ServiceLifecycle): void {
  const traced = new WeakSet<object>();
  for (const module of app.get(ModulesContainer).values()) {
    const wrappers = [...module.providers.values(), ...module.controllers.values(), ...module.injectables.values()];
    const instances: unknown[] = [module.instance, ...wrappers.filter((wrapper) => wrapper.isDependencyTreeStatic()).map((wrapper) => wrapper.instance)];
    for (const instance of instances) {
      if (!instance || typeof instance !== 'object' || traced.has(instance)) continue;
      traced.add(instance);
      const hooks = instance as Record<string, unknown>;
      for (const hook of SHUTDOWN_HOOKS) {
        const original = hooks[hook];
        if (typeof original !== 'function') continue;
        const name = `${instance.constructor.name}.${hook}`;
        hooks[hook] = (...args: unknown[]) => lifecycle.running(name, () => original.apply(instance, args));
      }
    }
  }
}
