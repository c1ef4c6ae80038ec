import { ExecutionContext } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, Observable } from 'rxjs';
import { KeyValueStore, SqliteKeyValueStore } from '@app/credentials';
import { AppConfig } from '../config';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { ProblemException } from './problem';

/** Two API instances: each its own interceptor and its own connection to one shared store. */
describe('IdempotencyInterceptor across instances', () => {
  let dir: string;
  let stores: KeyValueStore[];
  let instances: IdempotencyInterceptor[];
  const config = { idempotencyTtlSeconds: 3600 } as AppConfig;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idempotency-'));
    stores = [new SqliteKeyValueStore(join(dir, 'state.sqlite')), new SqliteKeyValueStore(join(dir, 'state.sqlite'))];
    instances = stores.map((kv) => new IdempotencyInterceptor(kv, config));
  });

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A POST with an Idempotency-Key through one instance; `handler` is the route. */
  function post(instance: IdempotencyInterceptor, key: string, body: unknown, handler: () => Promise<unknown>): Promise<unknown> {
    const request = { method: 'POST', url: '/v1/clients?x=1', headers: { 'idempotency-key': key }, body, principal: { kind: 'staff', organizationId: 'org-1' } };
    const context = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
    const next = { handle: () => new Observable((subscriber) => void handler().then((value) => (subscriber.next(value), subscriber.complete()), (error) => subscriber.error(error))) };
    return lastValueFrom(instance.intercept(context, next));
  }

  it('executes a key once when two instances receive it at the same time; both answer the same JSON', async () => {
    let executions = 0;
    const handler = async () => {
      executions += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { id: 'c1', position: 7, createdAt: new Date('2026-01-02T03:04:05Z'), tags: ['a'], gone: undefined };
    };

    const answers = await Promise.all([post(instances[0], 'k1', { name: 'Acme' }, handler), post(instances[1], 'k1', { name: 'Acme' }, handler)]);

    expect(executions).toBe(1);
    expect(JSON.stringify(answers[0])).toBe(JSON.stringify(answers[1]));
    expect(JSON.parse(JSON.stringify(answers[1]))).toEqual({ id: 'c1', position: 7, createdAt: '2026-01-02T03:04:05.000Z', tags: ['a'] });
    // A later repeat on either instance replays without executing.
    expect(JSON.stringify(await post(instances[1], 'k1', { name: 'Acme' }, handler))).toBe(JSON.stringify(answers[0]));
    expect(executions).toBe(1);
  });

  it('refuses the key for a different request, also while the first is running elsewhere', async () => {
    let release!: () => void;
    const running = post(instances[0], 'k2', { name: 'Acme' }, () => new Promise((resolve) => (release = () => resolve({ id: 'c2' }))));
    await new Promise((resolve) => setTimeout(resolve, 20));

    const error = await post(instances[1], 'k2', { name: 'Other' }, async () => ({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).status).toBe(422);

    release();
    await running;
    const after = await post(instances[1], 'k2', { name: 'Other' }, async () => ({})).catch((e: unknown) => e);
    expect((after as ProblemException).status).toBe(422);
  });

  it('lets a retry execute when the first execution failed (nothing stored)', async () => {
    let executions = 0;
    const failing = async () => {
      executions += 1;
      throw new Error('store unavailable');
    };
    await expect(post(instances[0], 'k3', {}, failing)).rejects.toThrow('store unavailable');
    expect(await post(instances[1], 'k3', {}, async () => ({ ok: true }))).toEqual({ ok: true });
    expect(executions).toBe(1);
  });

  it('replays a write that answered no body', async () => {
    let executions = 0;
    const empty = async () => {
      executions += 1;
      return undefined;
    };
    expect(await post(instances[0], 'k4', {}, empty)).toBeUndefined();
    expect(await post(instances[1], 'k4', {}, empty)).toBeUndefined();
    expect(executions).toBe(1);
  });

  it('keeps answers for the configured time only', async () => {
    const shortLived = new IdempotencyInterceptor(stores[0], { idempotencyTtlSeconds: 0 } as AppConfig);
    let executions = 0;
    const handler = async () => ({ n: ++executions });
    await post(shortLived, 'k5', {}, handler);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await post(shortLived, 'k5', {}, handler)).toEqual({ n: 2 });
  });
});
