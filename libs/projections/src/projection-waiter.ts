import { ReadStore } from './read-store';
import { ProjectionRunner } from './projection-runner';

/**
 * Read-your-writes: waits until every projection has reached a position. Where the runner is
 * in this process it is told of each batch at once; otherwise (a separate projector process)
 * the checkpoints in the read store are polled.
 */
export class ProjectionWaiter {
  constructor(
    private readonly readStore: ReadStore,
    private readonly projectionNames: string[],
    private readonly runner?: ProjectionRunner,
    private readonly pollMs = 25,
  ) {}

  async waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (position <= 0n) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reached = await this.lowestPosition();
      if (reached !== undefined && reached >= position) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.nextProgress(Math.min(remaining, this.runner ? 1000 : this.pollMs));
    }
  }

  private async lowestPosition(): Promise<bigint | undefined> {
    const inProcess = this.runner?.lowestPosition();
    if (inProcess !== undefined) return inProcess;
    let lowest: bigint | undefined;
    for (const name of this.projectionNames) {
      const checkpoint = await this.readStore.getCheckpoint(name);
      if (checkpoint === undefined) return undefined;
      if (lowest === undefined || checkpoint < lowest) lowest = checkpoint;
    }
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
