import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { sendProblem } from '../http/problem';
import { AuthGuard, GuardedRoute } from './auth.guard';
import { AuthenticatedRequest } from './principal';

/**
 * Who may call a route is decided before its body is read: a Fastify `onRequest` hook runs
 * the AuthGuard's rules (the one place that decides) as soon as the route is known, so a
 * caller without the right credentials is answered 401/403 without the server reading a
 * byte of what it sends. The guard then finds the request already decided.
 */
export function installEarlyAuthorization(app: NestFastifyApplication): void {
  const guard = app.get(AuthGuard);
  const routes = guardedRoutes(app.get(ModulesContainer), guard);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      const pattern = request.routeOptions.url;
      if (pattern === undefined) return; // no such route: 404, nothing read
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const key = `${method} ${pattern}`;
      if (!routes.has(key)) return; // not a Nest route (the OpenAPI document and its UI)
      try {
        await guard.authorize(routes.get(key)!, request as AuthenticatedRequest, { bodyRead: false });
      } catch (error) {
        // The body is left unread: close the connection rather than drain it.
        reply.header('connection', 'close');
        return sendProblem(reply, error);
      }
    });
}

/** `METHOD /path/:param` (as Fastify names the route) -> what the guard needs to know of it. */
function guardedRoutes(modules: ModulesContainer, guard: AuthGuard): Map<string, GuardedRoute> {
  const index = new Map<string, GuardedRoute>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => object) | null;
      if (!controller?.prototype) continue;
      const prefixes = paths(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = Object.getOwnPropertyDescriptor(controller.prototype, name)?.value as unknown;
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const routePaths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (routePaths === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const route = guard.routeOf(handler, controller);
        for (const prefix of prefixes) {
          for (const path of paths(routePaths)) index.set(`${method} ${join(prefix, path)}`, route);
        }
      }
    }
  }
  return index;
}

function paths(value: string | string[] | undefined): string[] {
  if (value === undefined) return ['/'];
  return Array.isArray(value) ? value : [value];
}

function join(prefix: string, path: string): string {
  const parts = [prefix, path].map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  return `/${parts.join('/')}`;
}
