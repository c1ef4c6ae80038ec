import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, Observable } from 'rxjs';
import { KeyValueStore } from '@app/credentials';
import { KEY_VALUE_STORE } from '../infrastructure/tokens';
import { ProblemException } from './problem';
import { AuthenticatedRequest } from '../auth/principal';
import { idempotencyKeyOf } from './request-context';

interface StoredResponse {
  fingerprint: string;
  body: unknown;
  storedAt: string;
}

/**
 * `Idempotency-Key` on a write: the first request is executed and its answer stored; a repeat
 * (same key, same request) gets the same answer without executing again. Concurrent repeats
 * wait for the first. The command path also derives its event ids from the key, so even a
 * retry that slips past this record cannot append the same events twice.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(@Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['idempotency-key'];
    if (request.method === 'GET' || header === undefined) return next.handle();
    if (typeof header !== 'string' || header.length < 1 || header.length > 255) {
      throw new ProblemException(422, 'invalid-idempotency-key', 'Invalid Idempotency-Key', 'The Idempotency-Key header must be 1 to 255 characters.');
    }
    const principal = request.principal;
    if (!principal) return next.handle();
    const scoped = idempotencyKeyOf(request, principal.kind === 'staff' ? principal.organizationId : `${principal.organizationId}:${principal.accessId}`)!;
    const storageKey = sha256(scoped);
    const fingerprint = sha256(`${request.method} ${request.url.split('?')[0]} ${JSON.stringify(request.body ?? null)}`);
    return from(this.once(storageKey, fingerprint, () => lastValueFrom(next.handle())));
  }

  private async once(key: string, fingerprint: string, execute: () => Promise<unknown>): Promise<unknown> {
    const running = this.inFlight.get(key);
    if (running) {
      await running.catch(() => undefined);
    }
    const stored = await this.kv.get<StoredResponse>('idempotency', key);
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        throw new ProblemException(
          422,
          'idempotency-key-reused',
          'Idempotency-Key reused',
          'This Idempotency-Key was already used for a different request.',
        );
      }
      return stored.body;
    }
    const execution = (async () => {
      const body = await execute();
      await this.kv.set<StoredResponse>('idempotency', key, { fingerprint, body, storedAt: new Date().toISOString() });
      return body;
    })();
    this.inFlight.set(key, execution);
    try {
      return await execution;
    } finally {
      if (this.inFlight.get(key) === execution) this.inFlight.delete(key);
    }
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
