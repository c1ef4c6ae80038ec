import { EventStore, RecordedEvent } from '@app/event-store';
import { ReadStore } from './read-store';
import { Projection } from './projection';

export interface RunnerLogger {
  log(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface ProjectionRunnerOptions {
  /** Most events handled in one read-store batch. */
  batchSize?: number;
  logger?: RunnerLogger;
}

/**
 * Runs projections: for each one, a catch-up subscription from its stored checkpoint, events
 * gathered into batches, each batch written with its checkpoint. After a crash it resumes
 * from the checkpoint; the read store makes a replayed batch change nothing.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly logger: RunnerLogger;
  private readonly loops = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly reached = new Map<string, bigint>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    readonly projections: Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.logger = options.logger ?? { log: () => undefined, error: () => undefined };
  }

  async start(): Promise<void> {
    await this.readStore.ensureCollections(this.projections.flatMap((p) => p.collections));
    for (const projection of this.projections) this.startLoop(projection);
  }

  async stop(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const loop of loops) loop.abort.abort();
    await Promise.all(loops.map((loop) => loop.done));
  }

  /** Empties a projection's collections and replays the whole log into them. */
  async rebuild(name: string): Promise<void> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`Unknown projection ${name}`);
    const loop = this.loops.get(name);
    if (loop) {
      this.loops.delete(name);
      loop.abort.abort();
      await loop.done;
    }
    await this.readStore.reset(name, projection.collections.map((c) => c.name));
    this.reached.delete(name);
    await this.readStore.ensureCollections(projection.collections);
    this.startLoop(projection);
  }

  /** The lowest position every projection has reached (in this process), or undefined. */
  lowestPosition(): bigint | undefined {
    let lowest: bigint | undefined;
    for (const projection of this.projections) {
      const position = this.reached.get(projection.name);
      if (position === undefined) return undefined;
      if (lowest === undefined || position < lowest) lowest = position;
    }
    return lowest;
  }

  /** Called after every batch any projection writes. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private startLoop(projection: Projection): void {
    const abort = new AbortController();
    const done = this.runLoop(projection, abort.signal);
    this.loops.set(projection.name, { abort, done });
  }

  private async runLoop(projection: Projection, signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const after = await this.readStore.getCheckpoint(projection.name);
        if (after !== undefined) this.advance(projection.name, after);
        const subscription = this.events.subscribeToAll({ after, signal });
        for await (const batch of inBatches(subscription, this.batchSize)) {
          const writes = batch.flatMap((event) => projection.project(event));
          const last = batch[batch.length - 1].position;
          await this.readStore.applyBatch(projection.name, writes, last);
          this.advance(projection.name, last);
          failures = 0;
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        this.logger.error(`Projection ${projection.name} failed (attempt ${failures}); resuming from its checkpoint`, error);
        await sleep(Math.min(100 * 2 ** failures, 5000), signal);
      }
    }
  }

  private advance(name: string, position: bigint): void {
    const previous = this.reached.get(name);
    if (previous !== undefined && previous >= position) return;
    this.reached.set(name, position);
    for (const listener of this.listeners) listener();
  }
}

/**
 * Groups a subscription into batches: the first event waits for as long as it takes, the
 * rest of a batch is whatever is already available (read before the next I/O turn).
 */
export async function* inBatches(source: AsyncIterable<RecordedEvent>, maxSize: number): AsyncGenerator<RecordedEvent[]> {
  const iterator = source[Symbol.asyncIterator]();
  const nothingYet = Symbol('nothing yet');
  let pending = iterator.next();
  try {
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      pending = iterator.next();
      while (batch.length < maxSize) {
        const next = await Promise.race([pending, new Promise<typeof nothingYet>((resolve) => setImmediate(resolve, nothingYet))]);
        if (next === nothingYet) break;
        if (next.done) {
          yield batch;
          return;
        }
        batch.push(next.value);
        pending = iterator.next();
      }
      yield batch;
    }
  } finally {
    // Not awaited: a pending next() may only settle on the next event; the subscription's
    // own abort signal ends it in any case.
    void iterator.return?.()?.catch(() => undefined);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
