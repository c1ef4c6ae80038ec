import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventStore } from '@app/event-store';
import { ALL_PROJECTIONS, LeaseRecord, Projections, ProjectionStatus, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, PROJECTIONS, READ_STORE } from '../infrastructure/tokens';
import { ProblemException } from '../http/problem';
import { ProjectionView, ProjectionViewState } from './projections.dto';

/** What a runner publishes with its lease (see ProjectionRunner): read from another instance. */
interface PublishedReport {
  state?: string;
  eventsPerSecond?: number;
  lastError?: string | null;
}

/**
 * The projections as operators see them, wherever they run: from the runner in this process
 * for those it holds, else from the read store (checkpoints, generations, and what the holder
 * of each lease last published). A rebuild is started here when this process runs the
 * projection, else recorded for the instance that does.
 */
@Injectable()
export class ProjectionOperations {
  private readonly logger = new Logger('Projections');

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(PROJECTIONS) private readonly projections: Projections,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(): Promise<ProjectionView[]> {
    return this.views(ALL_PROJECTIONS.map((p) => p.name));
  }

  async rebuild(name: string): Promise<ProjectionView> {
    if (!ALL_PROJECTIONS.some((p) => p.name === name)) {
      throw new ProblemException(404, 'projection-not-found', 'Not found', `No projection is named ${name}: GET /v1/admin/projections lists them.`);
    }
    if (this.config.runProjections) {
      try {
        const outcome = await this.projections.rebuild(name);
        this.logger.log(outcome.started ? `rebuild of ${name} started: generation ${outcome.generation}` : `rebuild of ${name}: ${outcome.reason}`);
      } catch (error) {
        // The projections are not running here right now (restarting): their runner picks the request up.
        this.logger.error(`Could not start rebuilding ${name} here; recording the request`, error instanceof Error ? error.stack : error);
        await this.readStore.requestRebuild(name);
      }
    } else {
      await this.readStore.requestRebuild(name);
    }
    const [view] = await this.views([name]);
    return view;
  }

  private async views(names: string[]): Promise<ProjectionView[]> {
    const head = await this.events.headPosition();
    const local = new Map<string, ProjectionStatus>();
    if (this.config.runProjections) for (const status of this.projections.status()) if (status.state !== 'standby') local.set(status.name, status);
    const leases = new Map<string, LeaseRecord>((await this.readStore.leases()).map((lease) => [lease.projection, lease]));
    const lagSeconds = new Map<bigint, Promise<number>>();
    const secondsBehind = (position: bigint) => {
      if (position >= head) return Promise.resolve(0);
      let seconds = lagSeconds.get(position);
      if (!seconds) lagSeconds.set(position, (seconds = this.secondsBehind(position)));
      return seconds;
    };
    return Promise.all(
      names.map(async (name): Promise<ProjectionView> => {
        const [generations, checkpoint] = await Promise.all([this.readStore.generations(name), this.readStore.getCheckpoint(name)]);
        const here = local.get(name);
        const lease = leases.get(name);
        const held = lease !== undefined && !lease.expired;
        const report = held ? asReport(lease.report) : undefined;
        const position = max(here?.position ?? 0n, checkpoint ?? 0n);
        const { building } = generations;
        const rebuild = building
          ? { generation: building.generation, position: building.checkpoint === undefined ? null : Number(building.checkpoint), progress: progress(building.checkpoint ?? 0n, head) }
          : generations.rebuildRequested
            ? { generation: null, position: null, progress: 0 }
            : null;
        let state: ProjectionViewState;
        let lastError: string | null;
        if (here) {
          state = here.state === 'standby' ? 'failed' : here.state;
          lastError = here.lastError;
        } else if (held) {
          state = isState(report?.state) ? report.state : position >= head ? 'running' : 'catching-up';
          lastError = report?.lastError ?? null;
        } else {
          state = 'failed';
          lastError = 'No instance runs this projection (its lease is free): start apps/projector, or the API with RUN_PROJECTIONS=true';
        }
        // The store says whether a rebuild is under way (a runner's report may lag a switch by a page).
        if (rebuild && (state === 'running' || state === 'catching-up')) state = 'rebuilding';
        if (!rebuild && state === 'rebuilding') state = position >= head ? 'running' : 'catching-up';
        return {
          name,
          generation: generations.live,
          position: Number(position),
          head: Number(head),
          lag: { events: Number(head > position ? head - position : 0n), seconds: await secondsBehind(position) },
          eventsPerSecond: here?.eventsPerSecond ?? report?.eventsPerSecond ?? 0,
          state,
          rebuild,
          lastError,
          runner: held ? lease.holder : null,
        };
      }),
    );
  }

  /** How long ago the first event after the position was recorded. */
  private async secondsBehind(position: bigint): Promise<number> {
    const [next] = await this.events.readAll({ after: position, maxCount: 1 });
    if (!next) return 0;
    return Math.max(0, Math.round((Date.now() - Date.parse(next.recordedAt)) / 10) / 100);
  }
}

function asReport(value: unknown): PublishedReport | undefined {
  return value !== null && typeof value === 'object' ? (value as PublishedReport) : undefined;
}

function isState(value: unknown): value is ProjectionViewState {
  return value === 'running' || value === 'catching-up' || value === 'rebuilding' || value === 'failed';
}

function progress(position: bigint, head: bigint): number {
  if (head <= 0n) return 1;
  return Math.min(1, Number((position * 1000n) / head) / 1000);
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
