import { Inject, Injectable } from '@nestjs/common';
import { EventStore } from '@app/event-store';
import { ALL_PROJECTIONS, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { ServiceLifecycle } from '../lifecycle/service-lifecycle';
import { ProblemException } from '../http/problem';

/** A store that takes longer than this to answer a readiness check counts as unreachable. */
const STORE_ANSWER_MS = 2_000;
/** One evaluation serves every probe for this long: the route is anonymous, and a flood of probes must not become a flood of store reads. */
const CACHE_MS = 1_000;
const UNAVAILABLE = 'Service unavailable';
const RETRY_AFTER = { 'retry-after': '5' };
/** Events read per page when counting how far a projection is behind. */
const COUNT_PAGE = 1_000;

/**
 * Whether this instance should be sent traffic: not while it is shutting down, not while the
 * event store or the read store does not answer, not while a projection is more than
 * READY_MAX_PROJECTION_LAG events behind the log (its read models would answer with old data).
 * Answers nothing when ready, else the problem saying which.
 */
@Injectable()
export class Readiness {
  private cached: { at: number; answer: Promise<ProblemException | undefined> } | undefined;

  constructor(
    private readonly lifecycle: ServiceLifecycle,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async problem(now = Date.now()): Promise<ProblemException | undefined> {
    // Never cached, never touching a store: the stores may be closing.
    if (this.lifecycle.draining) {
      return new ProblemException(503, 'shutting-down', UNAVAILABLE, 'This instance is shutting down and takes no new work; send requests to another instance.', {}, RETRY_AFTER);
    }
    if (!this.cached || now - this.cached.at >= CACHE_MS) this.cached = { at: now, answer: this.evaluate() };
    return this.cached.answer;
  }

  private async evaluate(): Promise<ProblemException | undefined> {
    let head: bigint;
    try {
      head = await withinTime(this.events.headPosition());
    } catch {
      return new ProblemException(503, 'event-store-unreachable', UNAVAILABLE, 'The event store does not answer.', {}, RETRY_AFTER);
    }
    let checkpoints: { name: string; position: bigint }[];
    try {
      checkpoints = await withinTime(
        Promise.all(ALL_PROJECTIONS.map(async ({ name }) => ({ name, position: (await this.readStore.getCheckpoint(name)) ?? 0n }))),
      );
    } catch {
      return new ProblemException(503, 'read-store-unreachable', UNAVAILABLE, 'The read store does not answer.', {}, RETRY_AFTER);
    }
    let behind: string[];
    try {
      behind = await this.fartherBehindThan(this.config.readyMaxProjectionLag, checkpoints, head);
    } catch {
      return new ProblemException(503, 'event-store-unreachable', UNAVAILABLE, 'The event store does not answer.', {}, RETRY_AFTER);
    }
    if (behind.length === 0) return undefined;
    const many = behind.length === 1 ? 'A projection is' : `${behind.length} projections are`;
    return new ProblemException(
      503,
      'projections-far-behind',
      UNAVAILABLE,
      `${many} more than ${this.config.readyMaxProjectionLag} events behind the log: its read models would answer with old data.`,
      { projections: behind },
      RETRY_AFTER,
    );
  }

  /**
   * The projections more than `limit` events behind. A position grows by at least one per
   * event, so a projection fewer positions behind than the limit is within it (on the
   * embedded store positions count events; on EventStoreDB they are log offsets, much larger):
   * only the others are counted, by reading the log after the lowest of their checkpoints, at
   * most limit + 1 events.
   */
  private async fartherBehindThan(limit: number, checkpoints: { name: string; position: bigint }[], head: bigint): Promise<string[]> {
    const suspects = checkpoints.filter(({ position }) => head - position > BigInt(limit));
    if (suspects.length === 0) return [];
    const from = suspects.reduce((lowest, { position }) => (position < lowest ? position : lowest), suspects[0].position);
    const positions: bigint[] = [];
    for (let cursor = from; positions.length <= limit; ) {
      const page = await withinTime(this.events.readAll({ after: cursor, maxCount: Math.min(COUNT_PAGE, limit + 1 - positions.length) }));
      positions.push(...page.map((event) => event.position));
      if (page.length === 0) break;
      cursor = page[page.length - 1].position;
    }
    // Each suspect's events behind: those read after its checkpoint (at most limit + 1 were read after the lowest).
    return suspects.filter(({ position }) => positions.filter((p) => p > position).length > limit).map(({ name }) => name);
  }
}

function withinTime<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STORE_ANSWER_MS} ms`)), STORE_ANSWER_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
