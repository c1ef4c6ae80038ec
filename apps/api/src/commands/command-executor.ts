import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Decider, DomainError, DomainEvent, EVENT_SCHEMA_VERSIONS, fold, nameBasedUuid } from '@app/domain';
import { EventStore, EventToAppend, WrongExpectedRevisionError } from '@app/event-store';
import { ProblemException } from '../http/problem';
import { CommandContext } from '../http/request-context';
import { EVENT_STORE } from '../infrastructure/tokens';

export interface Loaded<State> {
  state: State;
  /** -1n: the stream does not exist. */
  revision: bigint;
  /** Global position of the stream's last event (0n when there is none). */
  position: bigint;
}

export interface Executed<State, Event> {
  events: Event[];
  state: State;
  /** Global position of the last event written (what `minPosition` waits for). */
  position: bigint;
}

const MAX_ATTEMPTS = 4;

/**
 * The one write path: load the stream, decide, append with the expected revision. A
 * concurrent writer makes the append fail; the command is then decided again on the new
 * state, a bounded number of times, before answering 409.
 */
@Injectable()
export class CommandExecutor {
  private readonly streamLocks = new KeyedLock();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Current state of a stream, as seen by the caller's organization (another's is "not found"). */
  async load<State, Event extends DomainEvent>(
    streamName: string,
    decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
    organizationId: string,
  ): Promise<Loaded<State>> {
    const { events, revision } = await this.store.readStream(streamName);
    if (events.length > 0 && events[0].metadata.organizationId !== organizationId) {
      return { state: decider.initialState(), revision: -1n, position: 0n };
    }
    const state = fold(decider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as Event));
    return { state, revision, position: events.at(-1)?.position ?? 0n };
  }

  async execute<State, Command, Event extends DomainEvent>(params: {
    streamName: string;
    decider: Decider<State, Command, Event>;
    command: Command;
    context: CommandContext;
  }): Promise<Executed<State, Event>> {
    // Writers of one stream in this process take turns, so a hot stream (a portal's seats)
    // costs a wait, not a conflict; writers in other processes still meet the expected revision.
    return this.streamLocks.run(params.streamName, () => this.decideAndAppend(params));
  }

  private async decideAndAppend<State, Command, Event extends DomainEvent>(params: {
    streamName: string;
    decider: Decider<State, Command, Event>;
    command: Command;
    context: CommandContext;
  }): Promise<Executed<State, Event>> {
    const { streamName, decider, command, context } = params;
    const causationId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const { events: stored, revision } = await this.store.readStream(streamName);
      if (stored.length > 0 && stored[0].metadata.organizationId !== context.organizationId) {
        throw new DomainError('not-found', 'not-found', 'No such resource.');
      }
      const state = fold(decider, stored.map((e) => ({ type: e.type, data: e.data }) as unknown as Event));
      const events = decider.decide(command, state);
      if (events.length === 0) {
        const position = stored.length ? stored[stored.length - 1].position : 0n;
        return { events, state, position };
      }
      const occurredAt = new Date().toISOString();
      const toAppend: EventToAppend[] = events.map((event, index) => ({
        id: eventId(context, streamName, revision + 1n + BigInt(index)),
        type: event.type,
        data: event.data as Record<string, unknown>,
        metadata: {
          organizationId: context.organizationId,
          actor: context.actor,
          ...(context.onBehalfOf ? { onBehalfOf: context.onBehalfOf } : {}),
          channel: context.channel,
          correlationId: context.correlationId,
          causationId,
          occurredAt,
          schemaVersion: EVENT_SCHEMA_VERSIONS[event.type] ?? 1,
        },
      }));
      try {
        const result = await this.store.appendToStream(streamName, toAppend, {
          expectedRevision: revision === -1n ? 'no_stream' : revision,
        });
        return { events, state: events.reduce(decider.evolve, state), position: result.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw new ProblemException(409, 'concurrency-conflict', 'Conflict', 'The resource was changed by someone else at the same time; retry the request.');
        }
      }
    }
  }
}

/**
 * Event ids derived from the idempotency key (and where in the stream they go) make a retried
 * request's append idempotent in the event store itself; without a key they are random.
 */
function eventId(context: CommandContext, streamName: string, revision: bigint): string {
  return context.idempotencyKey ? nameBasedUuid(`${context.idempotencyKey}|${streamName}|${revision}`) : randomUUID();
}

/** Runs work one at a time per key, in arrival order; keys with nobody waiting cost nothing. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => turn) : turn;
    this.tails.set(key, tail);
    if (previous) await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
