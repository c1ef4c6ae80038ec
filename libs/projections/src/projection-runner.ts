import { EventStore, RecordedEvent } from '@app/event-store';
import { ProjectionBatch, ReadStore } from './read-store';
import { handles, Projection } from './projection';

export interface RunnerLogger {
  log(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface ProjectionRunnerOptions {
  /** Most events read (and applied in one read-store transaction) per page. */
  batchSize?: number;
  logger?: RunnerLogger;
}

export type ProjectionState = 'running' | 'catching-up' | 'failed';

export interface ProjectionStatus {
  name: string;
  /** The last position applied (undefined: nothing yet). */
  position: bigint | undefined;
  state: ProjectionState;
  /** Events of the log read per second by its lane, over its last page. */
  eventsPerSecond: number;
  lastError: string | null;
}

/**
 * A reader of the log for a group of projections that stand at the same position: one page
 * read and parsed once, handed to each projection that handles its events, applied in one
 * read-store transaction with every projection's checkpoint.
 */
interface Lane {
  projections: Set<Projection>;
  cursor: bigint;
  /** True from the moment a page arrives until its writes are applied and the cursor moved. */
  busy: boolean;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs the projections with one reader of the log for all of them. Projections at the same
 * checkpoint share a lane; one that is behind (after a rebuild, after a failure, or a new one)
 * catches up in a lane of its own and joins the others once it stands where they stand, so a
 * rebuild never holds the live read models back. A projection that throws stops only itself:
 * it leaves its lane and retries from its checkpoint after a back-off, while the others go on.
 * After a crash everything resumes from the stored checkpoints; the read store makes a
 * replayed page change nothing.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly logger: RunnerLogger;
  private readonly lanes = new Set<Lane>();
  private readonly reached = new Map<string, bigint>();
  private readonly statuses = new Map<string, ProjectionStatus>();
  private readonly retries = new Map<string, { timer: NodeJS.Timeout; failures: number }>();
  private readonly failures = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private running = false;

  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    readonly projections: Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.logger = options.logger ?? { log: () => undefined, error: () => undefined };
    for (const projection of projections) {
      this.statuses.set(projection.name, { name: projection.name, position: undefined, state: 'catching-up', eventsPerSecond: 0, lastError: null });
    }
  }

  async start(): Promise<void> {
    await this.readStore.ensureCollections(this.projections.flatMap((p) => p.collections));
    this.running = true;
    // One lane per distinct checkpoint: usually all projections stand at the same one.
    const byCheckpoint = new Map<bigint, Projection[]>();
    for (const projection of this.projections) {
      const checkpoint = (await this.readStore.getCheckpoint(projection.name)) ?? 0n;
      if (checkpoint > 0n) this.advance([projection], checkpoint);
      byCheckpoint.set(checkpoint, [...(byCheckpoint.get(checkpoint) ?? []), projection]);
    }
    for (const [checkpoint, projections] of byCheckpoint) this.startLane(projections, checkpoint);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const retry of this.retries.values()) clearTimeout(retry.timer);
    this.retries.clear();
    const lanes = [...this.lanes];
    this.lanes.clear();
    for (const lane of lanes) lane.abort.abort();
    await Promise.all(lanes.map((lane) => lane.done));
  }

  /** Empties a projection's collections and replays the whole log into them, in a lane of its own. */
  async rebuild(name: string): Promise<void> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`Unknown projection ${name}`);
    await this.detach(projection);
    await this.readStore.reset(name, projection.collections.map((c) => c.name));
    this.reached.delete(name);
    this.setStatus(name, { position: undefined, state: 'catching-up', lastError: null });
    await this.readStore.ensureCollections(projection.collections);
    if (this.running) this.startLane([projection], 0n);
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

  /** Where each projection stands, and how it is doing. */
  status(): ProjectionStatus[] {
    return this.projections.map((p) => ({ ...this.statuses.get(p.name)! }));
  }

  /** Called after every page any lane applies. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private startLane(projections: Projection[], cursor: bigint): void {
    const lane: Lane = { projections: new Set(projections), cursor, busy: false, abort: new AbortController(), done: Promise.resolve() };
    this.lanes.add(lane);
    lane.done = this.runLane(lane);
  }

  private async runLane(lane: Lane): Promise<void> {
    const { signal } = lane.abort;
    try {
      for await (const page of this.events.subscribeToAllPages({ after: lane.cursor, maxCount: this.batchSize, signal })) {
        if (signal.aborted) return;
        const started = performance.now();
        lane.busy = true;
        const last = page[page.length - 1].position;
        const batches = this.project(lane, page, last);
        await this.apply(lane, batches);
        lane.cursor = last;
        lane.busy = false;
        const members = [...lane.projections];
        this.advance(members, last);
        const eventsPerSecond = Math.round(page.length / Math.max((performance.now() - started) / 1000, 1e-6));
        const state: ProjectionState = page.length < this.batchSize ? 'running' : 'catching-up';
        for (const projection of members) this.setStatus(projection.name, { eventsPerSecond, state });
        for (const projection of members) this.failures.delete(projection.name);
        if (lane.projections.size === 0 || this.joinAnotherLane(lane)) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      // The log could not be read (or the read store failed as a whole): every member retries.
      for (const projection of [...lane.projections]) this.fail(lane, projection, error);
    } finally {
      lane.busy = false;
      this.lanes.delete(lane);
    }
  }

  /** Each member's writes for the page; a projection that throws leaves the lane (and the page). */
  private project(lane: Lane, page: RecordedEvent[], last: bigint): ProjectionBatch[] {
    const batches: ProjectionBatch[] = [];
    for (const projection of [...lane.projections]) {
      const since = this.reached.get(projection.name) ?? 0n;
      try {
        const writes = [];
        for (const event of page) {
          if (event.position <= since || !handles(projection, event.type)) continue;
          writes.push(...projection.project(event));
        }
        batches.push({ projection: projection.name, writes, checkpoint: last });
      } catch (error) {
        this.fail(lane, projection, error);
      }
    }
    return batches;
  }

  /**
   * One transaction for the page. When it fails, each projection's batch is tried alone, so
   * that the one whose writes the store refuses stops alone.
   */
  private async apply(lane: Lane, batches: ProjectionBatch[]): Promise<void> {
    if (batches.length === 0) return;
    try {
      await this.readStore.applyBatches(batches);
    } catch (error) {
      if (batches.length === 1) {
        const projection = this.projections.find((p) => p.name === batches[0].projection)!;
        return this.fail(lane, projection, error);
      }
      for (const batch of batches) await this.apply(lane, [batch]);
    }
  }

  /**
   * Moves the lane's projections into another lane that stands at the same position, when that
   * lane is between pages (so that none of the joiners' events is skipped or repeated).
   */
  private joinAnotherLane(lane: Lane): boolean {
    for (const other of this.lanes) {
      if (other === lane || other.busy || other.cursor !== lane.cursor || other.abort.signal.aborted) continue;
      for (const projection of lane.projections) other.projections.add(projection);
      lane.projections.clear();
      lane.abort.abort();
      return true;
    }
    return false;
  }

  /** Stops a projection alone: it leaves its lane and retries from its checkpoint after a back-off. */
  private fail(lane: Lane, projection: Projection, error: unknown): void {
    lane.projections.delete(projection);
    if (lane.projections.size === 0) lane.abort.abort();
    this.retryLater(projection, error);
  }

  private retryLater(projection: Projection, error: unknown): void {
    const failures = (this.failures.get(projection.name) ?? 0) + 1;
    this.failures.set(projection.name, failures);
    this.setStatus(projection.name, { state: 'failed', lastError: error instanceof Error ? error.message : String(error), eventsPerSecond: 0 });
    this.logger.error(`Projection ${projection.name} failed (attempt ${failures}); it resumes from its checkpoint, the others go on`, error);
    if (!this.running) return;
    const timer = setTimeout(() => void this.resume(projection), Math.min(100 * 2 ** failures, 30_000));
    timer.unref?.();
    this.retries.set(projection.name, { timer, failures });
  }

  /** A failed projection starts again, in a lane of its own, from its stored checkpoint. */
  private async resume(projection: Projection): Promise<void> {
    this.retries.delete(projection.name);
    if (!this.running) return;
    try {
      const checkpoint = (await this.readStore.getCheckpoint(projection.name)) ?? 0n;
      if (this.running) this.startLane([projection], checkpoint);
    } catch (error) {
      this.retryLater(projection, error);
    }
  }

  /** Takes a projection out of whatever runs it (a lane, a pending retry) and waits until it is out. */
  private async detach(projection: Projection): Promise<void> {
    const retry = this.retries.get(projection.name);
    if (retry) {
      clearTimeout(retry.timer);
      this.retries.delete(projection.name);
    }
    for (const lane of this.lanes) {
      if (!lane.projections.has(projection)) continue;
      if (lane.projections.size === 1) {
        lane.abort.abort();
        await lane.done;
      } else {
        // Leaves after the page in flight, if any, so that nothing is written for it afterwards.
        while (lane.busy) await new Promise((resolve) => setImmediate(resolve));
        lane.projections.delete(projection);
      }
    }
  }

  private advance(projections: Projection[], position: bigint): void {
    let moved = false;
    for (const { name } of projections) {
      const previous = this.reached.get(name);
      if (previous !== undefined && previous >= position) continue;
      this.reached.set(name, position);
      this.setStatus(name, { position });
      moved = true;
    }
    if (moved) for (const listener of this.listeners) listener();
  }

  private setStatus(name: string, change: Partial<ProjectionStatus>): void {
    const current = this.statuses.get(name);
    if (current) this.statuses.set(name, { ...current, ...change });
  }
}
