import { Worker } from 'node:worker_threads';
import { siblingModule, startWorker } from '@app/event-store';
import { defaultHolder, ProjectionStatus, RebuildOutcome, RunnerLogger } from '../projection-runner';
import type { ProjectionWorkerData, ProjectionWorkerReply, ProjectionWorkerRequest } from './projection-worker';

/** What the request thread needs of the projections, wherever they run. */
export interface Projections {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Starts rebuilding a projection beside its live generation (or asks the runner that holds it to). */
  rebuild(name: string): Promise<RebuildOutcome>;
  /** The lowest position every projection has reached, or undefined. */
  lowestPosition(): bigint | undefined;
  status(): ProjectionStatus[];
  /** Called whenever a projection moved on. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void;
}

/**
 * The embedded store's projections in a worker thread (projection-worker.ts): this side starts
 * it, learns each projection's position from its reports (read-your-writes waits on these, so
 * a query that asks for a position answers once the read models hold it), and restarts it if
 * it dies; the runner there resumes from the stored checkpoints.
 */
export class ProjectionThread implements Projections {
  private worker: Worker | undefined;
  private statuses: ProjectionStatus[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly rebuilds = new Map<number, { resolve(outcome: RebuildOutcome): void; reject(error: Error): void }>();
  private readonly data: ProjectionWorkerData;
  private nextRequestId = 1;
  private stopping = false;
  private started: Promise<void> | undefined;

  constructor(
    data: Omit<ProjectionWorkerData, 'holder'>,
    private readonly logger: RunnerLogger,
  ) {
    // One name for every thread this side starts: a thread started again after a crash renews
    // its predecessor's leases instead of waiting for them to expire.
    this.data = { ...data, holder: defaultHolder() };
  }

  start(): Promise<void> {
    this.stopping = false;
    this.started ??= new Promise<void>((resolve, reject) => this.spawn(resolve, reject));
    return this.started;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    this.worker = undefined;
    this.started = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ProjectionWorkerRequest);
    await exited;
  }

  rebuild(name: string): Promise<RebuildOutcome> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('The projections are not running'));
    const requestId = this.nextRequestId++;
    return new Promise<RebuildOutcome>((resolve, reject) => {
      this.rebuilds.set(requestId, { resolve, reject });
      worker.postMessage({ type: 'rebuild', requestId, name } satisfies ProjectionWorkerRequest);
    });
  }

  /** The log grew (an append committed in this process): the thread reads it now, not at its next poll. */
  appended(): void {
    this.worker?.postMessage({ type: 'appended' } satisfies ProjectionWorkerRequest);
  }

  lowestPosition(): bigint | undefined {
    if (this.statuses.length === 0) return undefined;
    let lowest: bigint | undefined;
    for (const status of this.statuses) {
      if (status.position === undefined) return undefined;
      if (lowest === undefined || status.position < lowest) lowest = status.position;
    }
    return lowest;
  }

  status(): ProjectionStatus[] {
    return this.statuses.map((status) => ({ ...status }));
  }

  onProgress(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private spawn(onStarted: () => void, onFailed: (error: Error) => void): void {
    const worker = startWorker(siblingModule(__dirname, 'projection-worker', __filename), this.data);
    this.worker = worker;
    worker.on('message', (reply: ProjectionWorkerReply) => {
      switch (reply.type) {
        case 'progress':
          this.statuses = reply.statuses;
          for (const listener of [...this.listeners]) listener();
          break;
        case 'started':
          onStarted();
          break;
        case 'rebuilt': {
          const pending = this.rebuilds.get(reply.requestId);
          this.rebuilds.delete(reply.requestId);
          if (reply.error || !reply.outcome) pending?.reject(new Error(reply.error ?? 'No answer'));
          else pending?.resolve(reply.outcome);
          break;
        }
        case 'log':
          if (reply.level === 'error') this.logger.error(reply.message, reply.stack);
          else this.logger.log(reply.message);
          break;
      }
    });
    worker.on('error', (error) => this.logger.error('The projection thread failed', error));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const pending of this.rebuilds.values()) pending.reject(new Error('The projection thread stopped'));
      this.rebuilds.clear();
      if (this.stopping) return;
      // Resumes from the stored checkpoints; a thread that cannot start at all says so once.
      this.logger.error(`The projection thread stopped (exit code ${code}); starting it again`);
      setTimeout(() => !this.stopping && this.spawn(onStarted, onFailed), 1000).unref();
    });
  }
}
