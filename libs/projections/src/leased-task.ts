import { defaultHolder, hasEnded } from './projection-runner';
import { Lease, ReadStore } from './read-store';

/** What runs while the lease is held: started when it is taken, stopped when it is lost or let go. */
export interface LeasedWork {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeasedTaskOptions {
  /** How long the lease lasts unless renewed (renewed every quarter of it). */
  ttlMs: number;
  holder?: string;
  logger?: { log(message: string): void; error(message: string, error?: unknown): void };
}

/**
 * Background work that exactly one instance runs at a time (a reactor, the log anchoring),
 * under a lease in the read store, as the projections are: every instance tries to take the
 * lease; the one that holds it runs the work and renews it every quarter of its time; when it
 * dies, another takes it over once it expires (at once when its process on this host has
 * ended), and a clean stop lets it go. The work must bear a short overlap (an old holder that
 * has not noticed its loss yet): reactors do, since what they do is keyed by the event.
 */
export class LeasedTask {
  private readonly holder: string;
  private lease: Lease | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly readStore: ReadStore,
    readonly name: string,
    private readonly work: LeasedWork,
    private readonly options: LeasedTaskOptions,
  ) {
    this.holder = options.holder ?? defaultHolder();
  }

  /** Whether this instance runs the work now. */
  get held(): boolean {
    return this.lease !== undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.tick();
  }

  /** Stops the work (if it runs here) and lets the lease go, so that another instance takes it at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    const lease = this.lease;
    this.lease = undefined;
    if (lease) {
      await this.work.stop();
      await this.readStore.releaseLease(lease).catch((error: unknown) => this.options.logger?.error(`${this.name}: could not let the lease go`, error));
    }
  }

  private tick(): Promise<void> {
    const run = async () => {
      try {
        let lease = await this.readStore.acquireLease(this.name, this.holder, this.options.ttlMs);
        if (!lease && !this.lease && this.readStore.onLocalDisk) {
          // A holder on this host whose process has ended will never renew: no need to wait.
          const current = (await this.readStore.leases()).find((l) => l.projection === this.name);
          if (current && !current.expired && current.holder && hasEnded(current.holder)) {
            lease = await this.readStore.acquireLease(this.name, this.holder, this.options.ttlMs, { evict: { holder: current.holder, epoch: current.epoch } });
          }
        }
        if (!this.running) {
          if (lease && !this.lease) await this.readStore.releaseLease(lease);
          return;
        }
        if (lease && !this.lease) {
          this.lease = lease;
          this.options.logger?.log(`${this.name}: runs here (${this.holder})`);
          await this.work.start();
        } else if (lease) {
          this.lease = lease;
        } else if (this.lease) {
          this.lease = undefined;
          this.options.logger?.log(`${this.name}: another instance took it over; stopped here`);
          await this.work.stop();
        }
      } catch (error) {
        this.options.logger?.error(`${this.name}: could not take or renew the lease; trying again shortly`, error);
      }
    };
    this.ticking = run().finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      this.timer = setTimeout(() => void this.tick(), Math.max(Math.floor(this.options.ttlMs / 4), 10));
      this.timer.unref?.();
    });
    return this.ticking;
  }
}
