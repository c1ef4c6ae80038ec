import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { FastifyInstance, FastifyRequest } from 'fastify';

export interface ApiAnswer<T> {
  status: number;
  ok: boolean;
  body: T;
  /** For an error: the problem's stable code (`/problems/<code>`), its detail and reason. */
  problem?: { code: string; detail: string; reason?: string; retryAfterSeconds?: number };
}

/** One correlation id per page request, shared by every API call the page makes. */
const correlationIds = new WeakMap<FastifyRequest, string>();

/**
 * The pages act through the API itself: each action is the same route a portal front end
 * would call (same guard, validation, rules, idempotency and problems), injected in-process
 * with the session token from the cookie and the browser's address (so the per-address
 * brakes of sign-in, acceptance and reset count the person, not this server).
 */
@Injectable()
export class PortalApi {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async call<T = any>(
    from: FastifyRequest,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    options: { session?: string; body?: unknown } = {},
  ): Promise<ApiAnswer<T>> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const headers: Record<string, string> = { accept: 'application/json', 'x-correlation-id': correlationIdFor(from) };
    if (options.session) headers.authorization = `Bearer ${options.session}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fastify.inject({
      method,
      url: path,
      headers,
      payload: options.body === undefined ? undefined : JSON.stringify(options.body),
      remoteAddress: from.ip,
    });
    let body: any;
    try {
      body = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      body = undefined;
    }
    const ok = response.statusCode < 400;
    if (ok) return { status: response.statusCode, ok, body };
    const retryAfter = Number(response.headers['retry-after']);
    return {
      status: response.statusCode,
      ok,
      body,
      problem: {
        code: typeof body?.type === 'string' ? body.type.replace(/^\/problems\//, '') : 'error',
        detail: typeof body?.detail === 'string' ? body.detail : '',
        reason: typeof body?.reason === 'string' ? body.reason : undefined,
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      },
    };
  }
}

function correlationIdFor(request: FastifyRequest): string {
  let id = correlationIds.get(request);
  if (!id) {
    const header = request.headers['x-correlation-id'];
    id = typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
    correlationIds.set(request, id);
  }
  return id;
}
