import { Logger } from '@nestjs/common';
import { EventStore, RecordedEvent } from '@app/event-store';
import { KeyValueStore } from '@app/credentials';

const CHECKPOINTS = 'reactor-checkpoint';
const PAGE_SIZE = 100;
/** An email need not leave within the millisecond: once caught up, one look at the log per 100 ms at most, not one per commit. */
const LIVE_INTERVAL_MS = 100;

/** What a reactor does: the events it follows and what it does with each, after the commit. */
export interface Reaction {
  /** Versioned: the name of its checkpoint. */
  name: string;
  /** Only these are read (filtered by the store). */
  eventTypes: readonly string[];
  /**
   * Must be safe to repeat: after a crash the last page is handled again. So what it records
   * in the key-value store need not be durable by itself (`durable: false`): the checkpoint is
   * saved durably in the same store after the page, which makes those writes durable too.
   */
  handle(event: RecordedEvent): Promise<void>;
}

/**
 * Follows the log for one reaction, from a checkpoint of its own in the key-value store:
 * events are read a page at a time (only the types it follows), handled one after another,
 * and the checkpoint saved after each page (and after the event in hand when it stops). A
 * first start begins at the head: history is not reacted to again. A failure retries the page after a back-off, from the checkpoint.
 * Runs off the request path: a command is answered when its events are stored, and the
 * reaction (an email) follows.
 */
export class LogReactor {
  private readonly logger: Logger;
  private running: { abort: AbortController; done: Promise<void> } | undefined;
  private cursor: bigint | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly events: EventStore,
    private readonly kv: KeyValueStore,
    private readonly reaction: Reaction,
  ) {
    this.logger = new Logger(`Reactor ${reaction.name}`);
  }

  async start(): Promise<void> {
    if (this.running) return;
    let checkpoint = await this.kv.get<{ position: string }>(CHECKPOINTS, this.reaction.name);
    if (!checkpoint) {
      checkpoint = { position: (await this.events.headPosition()).toString() };
      await this.kv.set(CHECKPOINTS, this.reaction.name, checkpoint);
    }
    this.cursor = BigInt(checkpoint.position);
    const abort = new AbortController();
    this.running = { abort, done: this.run(abort.signal) };
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    running?.abort.abort();
    await running?.done;
  }

  /**
   * Resolves true once every event it follows up to `position` was handled (tests and
   * read-your-writes of emails), false after the timeout.
   */
  async waitFor(position: bigint, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cursor = this.cursor;
      if (cursor !== undefined) {
        if (cursor >= position) return true;
        const [next] = await this.events.readAll({ after: cursor, maxCount: 1, eventTypes: this.reaction.eventTypes });
        if (!next || next.position > position) return true;
      }
      if (Date.now() >= deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 50);
        this.listeners.add(done);
        const listeners = this.listeners;
        function done() {
          clearTimeout(timer);
          listeners.delete(done);
          resolve();
        }
      });
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const pages = this.events.subscribeToAllPages({ after: this.cursor, maxCount: PAGE_SIZE, eventTypes: this.reaction.eventTypes, signal, minIntervalMs: LIVE_INTERVAL_MS });
        for await (const page of pages) {
          let handled: RecordedEvent | undefined;
          for (const event of page) {
            if (signal.aborted) break;
            await this.reaction.handle(event);
            handled = event;
          }
          // Stopping mid-page keeps what was handled: the next start goes on after it.
          if (!handled) return;
          this.cursor = handled.position;
          await this.kv.set(CHECKPOINTS, this.reaction.name, { position: this.cursor.toString() });
          failures = 0;
          for (const listener of [...this.listeners]) listener();
          if (signal.aborted) return;
        }
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        this.logger.error(`Failed (attempt ${failures}); resuming from the checkpoint`, error instanceof Error ? error.stack : String(error));
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** failures, 30_000)));
      }
    }
  }
}
