import { ReadStore } from './read-store';
import type { Projections } from './worker/projection-thread';

interface Waiter {
  position: bigint;
  settle(reached: boolean): void;
}

/**
 * Read-your-writes: waits until every projection has reached a position. Where the runner is
 * in this process it is told of each batch at once; otherwise (a separate projector process, or
 * a projection whose lease another runner holds) the checkpoints in the read store are polled,
 * by one poller for the whole process however many requests wait, and only while some do. The
 * checkpoints are the live generations': a rebuild under way changes nothing here.
 */
export class ProjectionWaiter {
  private readonly waiters = new Set<Waiter>();
  private polling = false;
  /** What the poller read last, and when: answers a new wait at once while it is fresh. */
  private lastRead: { lowest: bigint | undefined; at: number } | undefined;

  constructor(
    private readonly readStore: ReadStore,
    private readonly projectionNames: string[],
    private readonly runner?: Pick<Projections, 'lowestPosition' | 'onProgress'>,
    private readonly pollMs = 25,
  ) {}

  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (position <= 0n || this.knownToHaveReached(position)) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        position,
        settle: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.settle(false), timeoutMs);
      this.waiters.add(waiter);
      if (!this.polling) void this.poll();
    });
  }

  /** Without a read: the runner in this process, or a fresh enough read of the poller. */
  private knownToHaveReached(position: bigint): boolean {
    const inProcess = this.runner?.lowestPosition();
    if (inProcess !== undefined) return inProcess >= position;
    const last = this.lastRead;
    return last !== undefined && last.lowest !== undefined && Date.now() - last.at < this.pollMs && last.lowest >= position;
  }

  /** The one poller: reads while anyone waits, settles every waiter its read satisfies. */
  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiters.size > 0) {
        let lowest: bigint | undefined;
        try {
          lowest = await this.lowestPosition();
        } catch {
          lowest = undefined; // the store is unreachable: the waits time out unless it comes back
        }
        if (lowest !== undefined) {
          for (const waiter of [...this.waiters]) if (lowest >= waiter.position) waiter.settle(true);
        }
        // The runner here tells of its progress; projections it does not hold (another runner
        // has their lease) are polled like those of a separate projector.
        if (this.waiters.size > 0) await this.nextProgress(this.runner?.lowestPosition() !== undefined ? 1000 : this.pollMs);
      }
    } finally {
      this.polling = false;
    }
  }

  private async lowestPosition(): Promise<bigint | undefined> {
    const inProcess = this.runner?.lowestPosition();
    if (inProcess !== undefined) return inProcess;
    const checkpoints = await Promise.all(this.projectionNames.map((name) => this.readStore.getCheckpoint(name)));
    let lowest: bigint | undefined;
    for (const checkpoint of checkpoints) {
      if (checkpoint === undefined) {
        lowest = undefined;
        break;
      }
      if (lowest === undefined || checkpoint < lowest) lowest = checkpoint;
    }
    this.lastRead = { lowest, at: Date.now() };
    return lowest;
  }

  private nextProgress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const unsubscribe = this.runner?.onProgress(done);
      function done() {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      }
    });
  }
}
