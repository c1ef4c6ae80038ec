import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, Observable } from 'rxjs';
import { KeyValueStore } from '@app/credentials';
import { AppConfig } from '../config';
import { APP_CONFIG, KEY_VALUE_STORE } from '../infrastructure/tokens';
import { ProblemException } from './problem';
import { AuthenticatedRequest } from '../auth/principal';
import { idempotencyKeyOf } from './request-context';

interface StoredResponse {
  fingerprint: string;
  /** The answer as JSON text (null: no body), so a replay is the same JSON on every store. */
  json: string | null;
  storedAt: string;
}

/** Who executes a key right now. */
interface Claim {
  fingerprint: string;
  claimedAt: string;
}

const RESPONSES = 'idempotency';
const CLAIMS = 'idempotency-claim';
/** An execution holds its key this long at most; if its instance dies, another may take over then. */
const CLAIM_TTL_SECONDS = 60;
/** How long a repeat waits for an execution in another instance before answering 409. */
const WAIT_FOR_OTHER_INSTANCE_MS = 10_000;
const CLAIM_POLL_MS = 50;

/**
 * `Idempotency-Key` on a write: the first request is executed and its answer stored (as JSON
 * text, for IDEMPOTENCY_TTL_SECONDS); a repeat (same key, same request) gets the same answer
 * without executing again. One execution per key across API instances: the executing request
 * claims the key (insert-if-absent in the shared store); a repeat elsewhere waits for its
 * answer. The command path also derives its event ids from the key, so even a retry that slips
 * past (a claim that outlived a dead instance) cannot append the same events twice.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['idempotency-key'];
    // Its shape was checked before (RequestShapeInterceptor).
    if (request.method === 'GET' || typeof header !== 'string') return next.handle();
    const principal = request.principal;
    if (!principal) return next.handle();
    const scoped = idempotencyKeyOf(request, principal.kind === 'staff' ? principal.organizationId : `${principal.organizationId}:${principal.accessId}`)!;
    const storageKey = sha256(scoped);
    const fingerprint = sha256(`${request.method} ${request.url.split('?')[0]} ${JSON.stringify(request.body ?? null)}`);
    return from(this.once(storageKey, fingerprint, () => lastValueFrom(next.handle())));
  }

  /** Repeats in this process wait for the one before them, without asking the store. */
  private async once(key: string, fingerprint: string, execute: () => Promise<unknown>): Promise<unknown> {
    const before = this.inFlight.get(key);
    const attempt = (async () => {
      if (before) await before.catch(() => undefined);
      return this.claimOrReplay(key, fingerprint, execute);
    })();
    this.inFlight.set(key, attempt);
    try {
      return await attempt;
    } finally {
      if (this.inFlight.get(key) === attempt) this.inFlight.delete(key);
    }
  }

  private async claimOrReplay(key: string, fingerprint: string, execute: () => Promise<unknown>): Promise<unknown> {
    const giveUpAt = Date.now() + WAIT_FOR_OTHER_INSTANCE_MS;
    for (;;) {
      const stored = await this.kv.get<StoredResponse>(RESPONSES, key);
      if (stored) return replay(stored, fingerprint);
      const claim: Claim = { fingerprint, claimedAt: new Date().toISOString() };
      if (await this.kv.setIfAbsent<Claim>(CLAIMS, key, claim, { ttlSeconds: CLAIM_TTL_SECONDS })) break;
      // Another instance executes this key: wait for its answer.
      const holder = await this.kv.get<Claim>(CLAIMS, key);
      if (holder && holder.fingerprint !== fingerprint) throw reused();
      if (Date.now() >= giveUpAt) {
        throw new ProblemException(409, 'idempotency-key-in-use', 'Idempotency-Key in use', 'A request with this Idempotency-Key is still being processed; retry it later.');
      }
      await new Promise((resolve) => setTimeout(resolve, CLAIM_POLL_MS));
    }
    try {
      // The holder before us may have stored its answer between our read and our claim.
      const stored = await this.kv.get<StoredResponse>(RESPONSES, key);
      if (stored) return replay(stored, fingerprint);
      const body = await execute();
      const json = body === undefined ? null : JSON.stringify(body);
      await this.kv.set<StoredResponse>(RESPONSES, key, { fingerprint, json, storedAt: new Date().toISOString() }, { ttlSeconds: this.config.idempotencyTtlSeconds });
      return body;
    } finally {
      // Released on failure too: nothing was stored, so a retry executes again.
      await this.kv.delete(CLAIMS, key).catch(() => undefined);
    }
  }
}

function replay(stored: StoredResponse & { body?: unknown }, fingerprint: string): unknown {
  if (stored.fingerprint !== fingerprint) throw reused();
  // Records stored before answers were kept as JSON text hold the body itself.
  if (stored.json === undefined) return stored.body;
  return stored.json === null ? undefined : JSON.parse(stored.json);
}

function reused(): ProblemException {
  return new ProblemException(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was already used for a different request.');
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
