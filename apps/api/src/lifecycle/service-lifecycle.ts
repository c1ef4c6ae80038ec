import { Injectable } from '@nestjs/common';

/**
 * Whether this instance still takes work, and what it is doing while it stops: the requests
 * in flight and the shutdown hooks running, named in the log when a stop overruns its bound.
 */
@Injectable()
export class ServiceLifecycle {
  private drainingSince: number | undefined;
  private readonly requests = new Map<string, { label: string; since: number }>();
  private readonly tasks = new Map<string, number>();

  /** True from the shutdown signal on: readiness answers 503 and no new request is taken. */
  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  beginDraining(now = Date.now()): void {
    this.drainingSince ??= now;
  }

  requestStarted(id: string, label: string, now = Date.now()): void {
    this.requests.set(id, { label, since: now });
  }

  requestEnded(id: string): void {
    this.requests.delete(id);
  }

  get requestsInFlight(): number {
    return this.requests.size;
  }

  /** Runs `work` under `name`, listed as still running until it settles. */
  async running<T>(name: string, work: () => T | Promise<T>): Promise<T> {
    this.tasks.set(name, Date.now());
    try {
      return await work();
    } finally {
      this.tasks.delete(name);
    }
  }

  /** What is still running, for the log: each request in flight (method and route, never the URL's values) and each task. */
  stillRunning(now = Date.now()): string[] {
    const age = (since: number) => `${((now - since) / 1000).toFixed(1)} s`;
    return [
      ...[...this.requests.values()].map(({ label, since }) => `request ${label} (in flight for ${age(since)})`),
      ...[...this.tasks].map(([name, since]) => `${name} (for ${age(since)})`),
    ];
  }
}
