import { randomUUID } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { EventMetadata } from '@app/event-store';

/** What every command records about its origin (becomes the events' metadata). */
export interface CommandContext {
  organizationId: string;
  actor: EventMetadata['actor'];
  onBehalfOf?: EventMetadata['onBehalfOf'];
  channel: EventMetadata['channel'];
  correlationId: string;
  /** Scoped idempotency key: event ids are derived from it so a retry cannot duplicate. */
  idempotencyKey?: string;
}

export function correlationIdOf(request: FastifyRequest): string {
  let id = correlationIds.get(request);
  if (id === undefined) {
    const header = request.headers['x-correlation-id'];
    id = typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
    correlationIds.set(request, id);
  }
  return id;
}

/** One correlation id per request: the events it writes and its log line carry the same. */
const correlationIds = new WeakMap<FastifyRequest, string>();
/** Longest Idempotency-Key accepted (a UUID or a hash fits; longer ones are refused, not cut). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** The Idempotency-Key header, scoped to who sent it (keys of different callers never collide). */
export function idempotencyKeyOf(request: FastifyRequest, scope: string): string | undefined {
  const key = request.headers['idempotency-key'];
  return typeof key === 'string' && key ? `${scope}:${key}` : undefined;
}
