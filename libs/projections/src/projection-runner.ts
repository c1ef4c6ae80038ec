import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EventStore, RecordedEvent } from '@app/event-store';
import { Lease, LeaseLostError, LeaseRecord, ProjectionBatch, ReadStore, StaleGenerationError } from './read-store';
import { handles, Projection } from './projection';

export interface RunnerLogger {
  log(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface ProjectionRunnerOptions {
  /** Most events read (and applied in one read-store transaction) per page. */
  batchSize?: number;
  logger?: RunnerLogger;
  /**
   * This runner's name in the projections' leases: unique per runner. Default
   * `<host>/<pid>/<random>`, which lets a runner on the same host take at once the leases of a
   * process that has ended (on a store on the local disk).
   */
  holder?: string;
  /** How long a lease lasts unless renewed; leases are renewed, and free ones taken, every quarter of it. */
  leaseTtlMs?: number;
  /** How often a rebuild's progress is logged. */
  progressLogMs?: number;
}

export type ProjectionState = 'running' | 'catching-up' | 'rebuilding' | 'failed' | 'standby';

/** A new generation being built beside the live one. */
export interface RebuildStatus {
  generation: number;
  /** The last position it has applied. */
  position: bigint | undefined;
  eventsPerSecond: number;
}

export interface ProjectionStatus {
  name: string;
  /** The last position the live generation applied (undefined: nothing yet, or not run here). */
  position: bigint | undefined;
  /** `standby`: another runner holds the projection's lease and runs it. */
  state: ProjectionState;
  /** Events of the log read per second by its lane, over its last page. */
  eventsPerSecond: number;
  lastError: string | null;
  /** The rebuild under way in this runner, if any. */
  rebuild?: RebuildStatus | null;
}

export type RebuildOutcome =
  | { started: true; generation: number }
  /** `requested`: another runner holds the projection, and starts the rebuild at its next renewal. */
  | { started: false; reason: 'already-rebuilding' | 'requested' };

/** One generation of one projection, run by this runner. */
interface Run {
  projection: Projection;
  generation: number;
  /** A generation being built beside the live one (a rebuild). */
  building: boolean;
  /** The last position applied (0n: none). */
  position: bigint;
  lease: Lease;
  state: 'running' | 'catching-up' | 'failed';
  eventsPerSecond: number;
  lastError: string | null;
  failures: number;
  retry?: NodeJS.Timeout;
}

/** A projection whose lease this runner holds: its live generation, and the one being built. */
interface Held {
  lease: Lease;
  live: Run;
  builder?: Run;
  startingBuilder?: boolean;
  rebuilt: Array<() => void>;
}

/**
 * A reader of the log for runs that stand at the same position: one page read and parsed once,
 * handed to each run whose projection handles its events, applied in one read-store
 * transaction with every run's checkpoint.
 */
interface Lane {
  runs: Set<Run>;
  cursor: bigint;
  /** True from the moment a page arrives until its writes are applied and the cursor moved. */
  busy: boolean;
  /** Set while a generation switch involving this lane is under way: the next page waits. */
  paused?: Promise<void>;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs the projections with one reader of the log for all of them. Projections at the same
 * checkpoint share a lane; one that is behind (after a failure, or a new one) catches up in a
 * lane of its own and joins the others once it stands where they stand. A projection that
 * throws stops only itself: it leaves its lane and retries from its checkpoint after a
 * back-off, while the others go on. After a crash everything resumes from the stored
 * checkpoints; the read store makes a replayed page change nothing.
 *
 * Several runners may share a read store: each projection is run by the one runner that holds
 * its lease, renewed while it runs; another takes it over once it expires, and the store
 * refuses a deposed runner's writes (the lease's epoch fences them).
 *
 * A rebuild builds a new generation of the projection beside the live one, in a lane of its own,
 * while the live one keeps answering queries and keeps up with the log; once the new one stands
 * where the live one stands, both lanes wait between pages while the store makes the new one
 * live in one step, and it carries on in the live one's lane. Queries never see an empty or
 * half-built read model, and read-your-writes follows the live one throughout.
 */
export class ProjectionRunner {
  readonly holder: string;
  private readonly batchSize: number;
  private readonly logger: RunnerLogger;
  private readonly leaseTtlMs: number;
  private readonly progressLogMs: number;
  private readonly lanes = new Set<Lane>();
  private readonly reached = new Map<string, bigint>();
  private readonly held = new Map<string, Held>();
  private readonly lastErrors = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly progressLogged = new Map<string, number>();
  private running = false;
  private promoteLoop: Promise<void> | undefined;
  private promoteAgain = false;
  private ticks = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    readonly projections: Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.logger = options.logger ?? { log: () => undefined, error: () => undefined };
    this.holder = options.holder ?? defaultHolder();
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.progressLogMs = options.progressLogMs ?? 5_000;
  }

  async start(): Promise<void> {
    await this.readStore.ensureProjections(this.projections);
    this.running = true;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.tickTimer);
    await this.ticking;
    const lanes = [...this.lanes];
    this.lanes.clear();
    for (const lane of lanes) lane.abort.abort();
    await Promise.all(lanes.map((lane) => lane.done));
    // Let go at once: another runner takes over without waiting for the leases to expire.
    for (const [name, held] of this.held) {
      for (const run of [held.live, held.builder]) clearTimeout(run?.retry);
      for (const done of held.rebuilt.splice(0)) done();
      await this.readStore.releaseLease(held.lease).catch((error: unknown) => this.logger.error(`Could not release the lease on ${name}`, error));
    }
    this.held.clear();
  }

  /**
   * Rebuilds a projection from position 0 into a new generation beside the live one, which it
   * replaces once it has caught up. Where another runner holds the projection, the request is
   * recorded for it. Answers at once; `whenRebuilt` waits for the end.
   */
  async rebuild(name: string): Promise<RebuildOutcome> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`Unknown projection ${name}`);
    const held = this.held.get(name);
    if (!held) {
      await this.readStore.requestRebuild(name);
      this.logger.log(`${name} is run by another runner: the rebuild is requested from it`);
      return { started: false, reason: 'requested' };
    }
    if (held.builder || held.startingBuilder) return { started: false, reason: 'already-rebuilding' };
    const generation = await this.startBuilder(projection, held);
    return generation === undefined ? { started: false, reason: 'requested' } : { started: true, generation };
  }

  /** Resolves once no rebuild of the projection is under way in this runner. */
  whenRebuilt(name: string): Promise<void> {
    const held = this.held.get(name);
    if (!held || (!held.builder && !held.startingBuilder)) return Promise.resolve();
    return new Promise((resolve) => held.rebuilt.push(resolve));
  }

  /** The lowest position every projection has reached in this runner, or undefined (one runs elsewhere, or has not started). */
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
    return this.projections.map((projection) => {
      const { name } = projection;
      const held = this.held.get(name);
      if (!held) return { name, position: undefined, state: 'standby', eventsPerSecond: 0, lastError: this.lastErrors.get(name) ?? null, rebuild: null };
      const { live, builder } = held;
      const failed = live.state === 'failed' || builder?.state === 'failed';
      return {
        name,
        position: this.reached.get(name),
        state: failed ? 'failed' : builder ? 'rebuilding' : live.state,
        eventsPerSecond: live.eventsPerSecond,
        lastError: this.lastErrors.get(name) ?? null,
        rebuild: builder ? { generation: builder.generation, position: builder.position > 0n ? builder.position : undefined, eventsPerSecond: builder.eventsPerSecond } : null,
      };
    });
  }

  /** Called after every page any lane applies, and when a projection comes or goes. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Renews the leases held (picking up rebuild requests), takes the free ones, then comes again
   * after a quarter of the lease's time. One at a time.
   */
  private tick(): Promise<void> {
    const run = async () => {
      this.ticks += 1;
      const taken: Run[] = [];
      let others: LeaseRecord[] | undefined;
      for (const projection of this.projections) {
        if (!this.running) return;
        try {
          const held = this.held.get(projection.name);
          if (held) {
            await this.renew(projection, held);
            continue;
          }
          let lease = await this.readStore.acquireLease(projection.name, this.holder, this.leaseTtlMs);
          if (!lease && this.readStore.onLocalDisk) {
            // A holder on this host whose process has ended will never renew: no need to wait.
            others ??= await this.readStore.leases();
            const current = others.find((l) => l.projection === projection.name);
            if (current && !current.expired && hasEnded(current.holder)) {
              lease = await this.readStore.acquireLease(projection.name, this.holder, this.leaseTtlMs, { evict: { holder: current.holder, epoch: current.epoch } });
            }
          }
          if (lease && this.running) taken.push(await this.take(projection, lease));
        } catch (error) {
          this.logger.error(`Could not renew or take the lease on ${projection.name}; trying again shortly`, error);
        }
      }
      // Those that stand at the same checkpoint share a lane: usually all of them, at start. (A
      // rebuild that went on may have replaced its live generation meanwhile: that one is done.)
      const byPosition = new Map<bigint, Run[]>();
      for (const run of taken) {
        if (this.held.get(run.projection.name)?.live === run) byPosition.set(run.position, [...(byPosition.get(run.position) ?? []), run]);
      }
      for (const [position, runs] of byPosition) this.startLane(runs, position);
      if (taken.length > 0) {
        this.logger.log(`running here (${this.holder}): ${taken.map((run) => `${run.projection.name} from position ${run.position}${run.generation > 0 ? ` (generation ${run.generation})` : ''}`).join(', ')}`);
        this.notify();
      }
      // Also here, for a rebuild that caught up while every lane was waiting for the log.
      await this.promoteReady();
    };
    this.ticking = run().finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      this.tickTimer = setTimeout(() => void this.tick(), Math.max(Math.floor(this.leaseTtlMs / 4), 10));
      this.tickTimer.unref?.();
    });
    return this.ticking;
  }

  /** A lease just taken: the projection's live generation (and one being built) start from their checkpoints. */
  private async take(projection: Projection, lease: Lease): Promise<Run> {
    const generations = await this.readStore.generations(projection.name);
    const checkpoint = (await this.readStore.getCheckpoint(projection.name)) ?? 0n;
    const held: Held = { lease, live: this.newRun(projection, generations.live, false, checkpoint, lease), rebuilt: [] };
    this.held.set(projection.name, held);
    if (checkpoint > 0n) this.advance([held.live], checkpoint);
    if (generations.building) {
      // A rebuild under way when its last runner stopped: it goes on from its own checkpoint.
      const from = generations.building.checkpoint ?? 0n;
      held.builder = this.newRun(projection, generations.building.generation, true, from, lease);
      this.logger.log(`${projection.name}: rebuilding generation ${generations.building.generation} goes on from position ${from}`);
      this.startLane([held.builder], from);
    } else if (generations.rebuildRequested) {
      void this.startBuilder(projection, held).catch((error: unknown) => this.logger.error(`Could not start rebuilding ${projection.name}`, error));
    }
    return held.live;
  }

  private async renew(projection: Projection, held: Held): Promise<void> {
    const lease = await this.readStore.acquireLease(projection.name, this.holder, this.leaseTtlMs, { report: this.report(projection.name) });
    if (this.held.get(projection.name) !== held) return;
    if (!lease) return this.drop(projection.name, 'its lease was taken over by another runner');
    held.lease = lease;
    for (const run of [held.live, held.builder]) if (run) run.lease = lease;
    const generations = await this.readStore.generations(projection.name);
    if (generations.rebuildRequested && !held.builder && !held.startingBuilder && this.held.get(projection.name) === held) {
      this.logger.log(`${projection.name}: a rebuild was requested`);
      await this.startBuilder(projection, held);
    }
    // Replaced generations kept for readers on another instance: dropped once their grace is over.
    if (this.ticks % 8 === 0) await this.readStore.dropRetiredGenerations(projection);
  }

  /** Starts building a new generation from position 0, beside the live one. */
  private async startBuilder(projection: Projection, held: Held): Promise<number | undefined> {
    held.startingBuilder = true;
    try {
      const generation = await this.readStore.startGeneration(projection, held.lease);
      if (!this.running || this.held.get(projection.name) !== held) return undefined;
      held.builder = this.newRun(projection, generation, true, 0n, held.lease);
      this.logger.log(`rebuilding ${projection.name}: generation ${generation} is built from position 0 beside the live generation ${held.live.generation}`);
      this.startLane([held.builder], 0n);
      this.notify();
      // An empty log: nothing to wait for.
      await this.promoteReady();
      return generation;
    } catch (error) {
      if (error instanceof LeaseLostError) this.drop(projection.name, 'its lease was taken over by another runner');
      throw error;
    } finally {
      held.startingBuilder = false;
    }
  }

  private newRun(projection: Projection, generation: number, building: boolean, position: bigint, lease: Lease): Run {
    return { projection, generation, building, position, lease, state: 'catching-up', eventsPerSecond: 0, lastError: null, failures: 0 };
  }

  private startLane(runs: Run[], cursor: bigint): void {
    if (!this.running) return;
    const lane: Lane = { runs: new Set(runs), cursor, busy: false, abort: new AbortController(), done: Promise.resolve() };
    this.lanes.add(lane);
    lane.done = this.runLane(lane);
  }

  private async runLane(lane: Lane): Promise<void> {
    const { signal } = lane.abort;
    try {
      for await (const page of this.events.subscribeToAllPages({ after: lane.cursor, maxCount: this.batchSize, signal })) {
        if (signal.aborted) return;
        while (lane.paused) await lane.paused;
        if (signal.aborted || lane.runs.size === 0) return;
        const started = performance.now();
        lane.busy = true;
        const last = page[page.length - 1].position;
        const { batches, runs } = this.project(lane, page, last);
        await this.apply(lane, batches, runs);
        lane.cursor = last;
        lane.busy = false;
        const members = [...lane.runs];
        const eventsPerSecond = Math.round(page.length / Math.max((performance.now() - started) / 1000, 1e-6));
        for (const run of members) {
          if (run.position < last) run.position = last;
          run.eventsPerSecond = eventsPerSecond;
          run.state = page.length < this.batchSize ? 'running' : 'catching-up';
          run.failures = 0;
        }
        this.advance(
          members.filter((run) => !run.building),
          last,
        );
        for (const run of members) if (run.building) this.logProgress(run);
        await this.promoteReady();
        if (lane.runs.size === 0 || this.joinAnotherLane(lane)) return;
        // A lane catching up reads page after page without waiting on anything: let the other
        // lanes (the live ones, during a rebuild) and the thread's messages in between pages.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      if (signal.aborted) return;
      // The log could not be read (or the read store failed as a whole): every member retries.
      for (const run of [...lane.runs]) this.fail(lane, run, error);
    } finally {
      lane.busy = false;
      this.lanes.delete(lane);
    }
  }

  /** Each member's writes for the page, into its generation; a run that throws leaves the lane (and the page). */
  private project(lane: Lane, page: RecordedEvent[], last: bigint): { batches: ProjectionBatch[]; runs: Run[] } {
    const batches: ProjectionBatch[] = [];
    const runs: Run[] = [];
    for (const run of [...lane.runs]) {
      const { projection } = run;
      try {
        const writes = [];
        for (const event of page) {
          if (event.position <= run.position || !handles(projection, event.type)) continue;
          writes.push(...projection.project(event));
        }
        batches.push({ projection: projection.name, writes, checkpoint: last, generation: run.generation, lease: run.lease });
        runs.push(run);
      } catch (error) {
        this.fail(lane, run, error);
      }
    }
    return { batches, runs };
  }

  /**
   * One transaction for the page. When it fails, each run's batch is tried alone, so that the
   * one whose writes the store refuses stops alone. A batch refused because the lease is lost
   * gives the projection up to its new holder.
   */
  private async apply(lane: Lane, batches: ProjectionBatch[], runs: Run[]): Promise<void> {
    if (batches.length === 0) return;
    try {
      await this.readStore.applyBatches(batches);
    } catch (error) {
      if (batches.length === 1) {
        if (error instanceof LeaseLostError) return this.drop(runs[0].projection.name, 'its lease was taken over by another runner');
        if (error instanceof StaleGenerationError) return this.drop(runs[0].projection.name, `generation ${error.generation} was replaced by another runner`, true);
        return this.fail(lane, runs[0], error);
      }
      for (let i = 0; i < batches.length; i++) if (lane.runs.has(runs[i])) await this.apply(lane, [batches[i]], [runs[i]]);
    }
  }

  /**
   * Makes each generation being built live once it stands where the live one stands (or the
   * live one is not running): both lanes wait between pages while the store switches, then the
   * new generation carries on in the live one's lane.
   */
  private promoteReady(): Promise<void> {
    if (this.promoteLoop) {
      // Looked at again once the switch under way is done.
      this.promoteAgain = true;
      return this.promoteLoop;
    }
    this.promoteLoop = (async () => {
      do {
        this.promoteAgain = false;
        await this.promoteEachReady();
      } while (this.promoteAgain && this.running);
    })().finally(() => (this.promoteLoop = undefined));
    return this.promoteLoop;
  }

  private async promoteEachReady(): Promise<void> {
    for (const held of [...this.held.values()]) {
      const { builder, live } = held;
      if (!builder || !this.running) continue;
      const builderLane = this.laneOf(builder);
      if (!builderLane || builderLane.busy || builderLane.paused) continue;
      const liveLane = this.laneOf(live);
      if (liveLane && (liveLane.busy || liveLane.paused)) continue;
      if (builder.position < live.position) continue;
      await this.promote(held, builder, builderLane, liveLane);
    }
  }

  private async promote(held: Held, builder: Run, builderLane: Lane, liveLane: Lane | undefined): Promise<void> {
    const { name } = builder.projection;
    const previous = held.live;
    let resume = () => undefined as void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const lanes = liveLane && liveLane !== builderLane ? [builderLane, liveLane] : [builderLane];
    for (const lane of lanes) lane.paused = paused;
    try {
      await this.readStore.promoteGeneration(builder.projection, builder.generation, held.lease);
      // In memory too, before either lane takes its next page.
      clearTimeout(previous.retry);
      liveLane?.runs.delete(previous);
      builder.building = false;
      held.live = builder;
      held.builder = undefined;
      if (liveLane && liveLane !== builderLane && !liveLane.abort.signal.aborted) {
        // The live lane stands at or behind the new generation, which skips what it has applied.
        builderLane.runs.delete(builder);
        liveLane.runs.add(builder);
        if (builderLane.runs.size === 0) builderLane.abort.abort();
      } else if (liveLane && liveLane !== builderLane && liveLane.runs.size === 0) {
        liveLane.abort.abort();
      }
      this.reached.delete(name);
      this.advance([builder], builder.position);
      this.logger.log(
        `rebuilt ${name}: generation ${builder.generation} is live at position ${builder.position}; generation ${previous.generation}'s collections are dropped`,
      );
      for (const done of held.rebuilt.splice(0)) done();
    } catch (error) {
      if (error instanceof LeaseLostError) this.drop(name, 'its lease was taken over by another runner');
      else if (error instanceof StaleGenerationError) this.drop(name, `generation ${builder.generation} was replaced by another runner`, true);
      // Anything else: tried again after the next page.
      else this.logger.error(`Could not make generation ${builder.generation} of ${name} live; trying again after the next page`, error);
    } finally {
      for (const lane of lanes) lane.paused = undefined;
      resume();
    }
  }

  private laneOf(run: Run): Lane | undefined {
    for (const lane of this.lanes) if (lane.runs.has(run) && !lane.abort.signal.aborted) return lane;
    return undefined;
  }

  /**
   * Moves the lane's runs into another lane that stands at the same position, when that lane is
   * between pages (so that none of the joiners' events is skipped or repeated).
   */
  private joinAnotherLane(lane: Lane): boolean {
    for (const other of this.lanes) {
      if (other === lane || other.busy || other.paused || other.cursor !== lane.cursor || other.abort.signal.aborted) continue;
      for (const run of lane.runs) other.runs.add(run);
      lane.runs.clear();
      lane.abort.abort();
      return true;
    }
    return false;
  }

  /** Stops a run alone: it leaves its lane and retries from its checkpoint after a back-off. */
  private fail(lane: Lane | undefined, run: Run, error: unknown): void {
    if (lane) {
      lane.runs.delete(run);
      if (lane.runs.size === 0) lane.abort.abort();
    }
    const { name } = run.projection;
    run.failures += 1;
    run.state = 'failed';
    run.eventsPerSecond = 0;
    run.lastError = error instanceof Error ? error.message : String(error);
    this.lastErrors.set(name, run.building ? `rebuilding generation ${run.generation}: ${run.lastError}` : run.lastError);
    const what = run.building ? `Rebuilding ${name} (generation ${run.generation})` : `Projection ${name}`;
    this.logger.error(`${what} failed (attempt ${run.failures}); it resumes from its checkpoint, the others go on`, error);
    this.notify();
    if (!this.running) return;
    // A rebuild waiting for this live generation to move need wait no more.
    if (!run.building) void this.promoteReady();
    clearTimeout(run.retry);
    run.retry = setTimeout(() => void this.resume(run), Math.min(100 * 2 ** run.failures, 30_000));
    run.retry.unref?.();
  }

  /** A failed run starts again, in a lane of its own, from its generation's stored checkpoint. */
  private async resume(run: Run): Promise<void> {
    run.retry = undefined;
    const { name } = run.projection;
    const held = this.held.get(name);
    if (!this.running || !held || (held.live !== run && held.builder !== run)) return;
    try {
      let from: bigint;
      if (run.building) {
        const building = (await this.readStore.generations(name)).building;
        if (building?.generation !== run.generation) return this.drop(name, `generation ${run.generation} was replaced by another runner`, true);
        from = building.checkpoint ?? 0n;
      } else {
        from = (await this.readStore.getCheckpoint(name)) ?? 0n;
      }
      if (!this.running || this.held.get(name) !== held || (held.live !== run && held.builder !== run)) return;
      run.position = from;
      this.startLane([run], from);
    } catch (error) {
      // The store cannot be read: tried again after a longer back-off.
      this.fail(undefined, run, error);
    }
  }

  /**
   * Gives a projection up at once: another runner holds it now (or its state changed under this
   * one). Its runs leave their lanes; whatever they still had in flight is refused by the store.
   */
  private drop(name: string, reason: string, release = false): void {
    const held = this.held.get(name);
    if (!held) return;
    this.held.delete(name);
    for (const run of [held.live, held.builder]) {
      if (!run) continue;
      clearTimeout(run.retry);
      for (const lane of this.lanes) {
        if (!lane.runs.delete(run)) continue;
        if (lane.runs.size === 0) lane.abort.abort();
      }
    }
    this.reached.delete(name);
    for (const done of held.rebuilt.splice(0)) done();
    this.logger.log(`${name}: no longer run here (${reason})`);
    // Let go, so that this runner (or another) takes it again from the store's state.
    if (release) void this.readStore.releaseLease(held.lease).catch(() => undefined);
    this.notify();
  }

  /** What the holder publishes with each renewal, for the operators of other instances. */
  private report(name: string): unknown {
    const status = this.status().find((s) => s.name === name)!;
    return {
      state: status.state,
      position: status.position?.toString() ?? null,
      eventsPerSecond: status.eventsPerSecond,
      lastError: status.lastError,
      rebuild: status.rebuild ? { generation: status.rebuild.generation, position: status.rebuild.position?.toString() ?? null, eventsPerSecond: status.rebuild.eventsPerSecond } : null,
    };
  }

  private logProgress(run: Run): void {
    const { name } = run.projection;
    const now = Date.now();
    if (now - (this.progressLogged.get(name) ?? 0) < this.progressLogMs) return;
    this.progressLogged.set(name, now);
    void this.events.headPosition().then(
      (head) => {
        const percent = head > 0n ? Number((run.position * 1000n) / head) / 10 : 100;
        this.logger.log(`rebuilding ${name} (generation ${run.generation}): position ${run.position} of ${head} (${percent}%)`);
      },
      () => undefined,
    );
  }

  private advance(runs: Run[], position: bigint): void {
    let moved = false;
    for (const { projection } of runs) {
      const previous = this.reached.get(projection.name);
      if (previous !== undefined && previous >= position) continue;
      this.reached.set(projection.name, position);
      moved = true;
    }
    if (moved) this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** `<host>/<pid>/<random>`: unique, and tells another runner on this host whether its process has ended. */
export function defaultHolder(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** Whether a lease holder named as defaultHolder names it ran in a process of this host that has ended. */
export function hasEnded(holder: string): boolean {
  const [host, pid] = holder.split('/');
  const id = Number(pid);
  if (host !== hostname() || !Number.isSafeInteger(id) || id <= 0 || id === process.pid) return false;
  try {
    process.kill(id, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
