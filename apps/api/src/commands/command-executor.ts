import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Decider, DomainError, DomainEvent, EVENT_SCHEMA_VERSIONS, nameBasedUuid } from '@app/domain';
import { EventStore, EventToAppend, RecordedEvent, trimOldest, UnreadableEventError, WrongExpectedRevisionError } from '@app/event-store';
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
/** Folded states kept per decider (least recently used go first). */
const CACHED_STREAMS_PER_DECIDER = 5_000;

type Outcome<State, Event> = { ok: true; events: Event[]; state: State; position: bigint } | { ok: false; error: unknown };

/** Told how every command ended (metrics): the command, and whether it succeeded or its error. */
export type CommandListener = (command: unknown, outcome: { ok: true } | { ok: false; error: unknown }) => void;

interface FoldedStream<State> {
  state: State;
  revision: bigint;
  position: bigint;
  /** The organization of the stream's first event; null while the stream is empty. */
  organizationId: string | null;
}

/** The one write path for commands (see `decideTogether`), and the state of any stream. */
@Injectable()
export class CommandExecutor {
  private readonly streamLocks = new KeyedLock();
  private readonly folded = new WeakMap<object, Map<string, FoldedStream<unknown>>>();
  private readonly listeners = new Set<CommandListener>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Current state of a stream, as seen by the caller's organization (another's is "not found"). */
  async load<State, Event extends DomainEvent>(
    streamName: string,
    decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
    organizationId: string,
  ): Promise<Loaded<State>> {
    const current = await this.current(streamName, decider);
    if (current.organizationId !== null && current.organizationId !== organizationId) {
      return { state: decider.initialState(), revision: -1n, position: 0n };
    }
    return { state: current.state, revision: current.revision, position: current.position };
  }

  /**
   * The stream's state folded up to its last event. Folded states are kept (a bounded number
   * per decider), so a command on a long stream (a portal's seats) reads only the events
   * written since, by this process or any other.
   */
  private async current<State, Event extends DomainEvent>(
    streamName: string,
    decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  ): Promise<FoldedStream<State>> {
    try {
      return await this.fold(streamName, decider);
    } catch (error) {
      if (error instanceof UnreadableEventError) throw unreadableStream(error);
      throw error;
    }
  }

  private async fold<State, Event extends DomainEvent>(
    streamName: string,
    decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  ): Promise<FoldedStream<State>> {
    const cache = this.cacheFor<State>(decider);
    const cached = cache.get(streamName);
    if (cached) {
      const { events, revision } = await this.store.readStream(streamName, { fromRevision: cached.revision + 1n });
      if (events.length === 0 && revision === cached.revision) return cached;
      if (events.length > 0 && events[0].streamRevision === cached.revision + 1n) return remember(cache, streamName, foldOnto(decider, cached, events));
      cache.delete(streamName); // not a continuation of what was kept: fold from the start
    }
    const { events } = await this.store.readStream(streamName);
    const empty: FoldedStream<State> = { state: decider.initialState(), revision: -1n, position: 0n, organizationId: null };
    return events.length ? remember(cache, streamName, foldOnto(decider, empty, events)) : empty;
  }

  private cacheFor<State>(decider: object): Map<string, FoldedStream<State>> {
    let cache = this.folded.get(decider);
    if (!cache) this.folded.set(decider, (cache = new Map()));
    return cache as unknown as Map<string, FoldedStream<State>>;
  }

  async execute<State, Command, Event extends DomainEvent>(params: {
    streamName: string;
    decider: Decider<State, Command, Event>;
    command: Command;
    context: CommandContext;
  }): Promise<Executed<State, Event>> {
    const { streamName, decider, command, context } = params;
    const [outcome] = await this.observed([command], this.decideTogether(streamName, decider, [{ command, context }]));
    if (!outcome.ok) throw outcome.error;
    return { events: outcome.events, state: outcome.state, position: outcome.position };
  }

  /**
   * Several commands on one stream, decided one after another on the evolving state and
   * appended together: one append (one fsync) for the lot. Each command succeeds or fails on
   * its own; a success answers the position of the batch's last event. For hot streams whose
   * callers only need "done" (a portal's seats), not for commands whose answer names the
   * exact position of their own event.
   */
  async executeEach<State, Command, Event extends DomainEvent>(params: {
    streamName: string;
    decider: Decider<State, Command, Event>;
    items: { command: Command; context: CommandContext }[];
  }): Promise<({ ok: true; position: bigint } | { ok: false; error: unknown })[]> {
    const outcomes = await this.observed(params.items.map((item) => item.command), this.decideTogether(params.streamName, params.decider, params.items));
    return outcomes.map((outcome) => (outcome.ok ? { ok: true, position: outcome.position } : outcome));
  }

  /** Calls the listener after every command decided from now on. Returns an unsubscribe function. */
  onCommand(listener: CommandListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners how each command ended (a thrown error ends them all); a listener never changes the answer. */
  private async observed<T extends { ok: boolean }>(commands: unknown[], decided: Promise<T[]>): Promise<T[]> {
    const tell = (command: unknown, outcome: { ok: true } | { ok: false; error: unknown }) => {
      for (const listener of this.listeners) {
        try {
          listener(command, outcome);
        } catch {
          /* metrics only */
        }
      }
    };
    try {
      const results = await decided;
      results.forEach((result, i) => tell(commands[i], result as { ok: true } | { ok: false; error: unknown }));
      return results;
    } catch (error) {
      for (const command of commands) tell(command, { ok: false, error });
      throw error;
    }
  }

  /**
   * The one write path: load the stream, decide each command on the state the ones before it
   * left, append what they decided with the expected revision. A concurrent writer in another
   * process makes the append fail; the commands are then decided again on the new state, a
   * bounded number of times, before answering 409. Writers of one stream in this process take
   * turns, so a hot stream costs a wait, not a conflict.
   */
  private decideTogether<State, Command, Event extends DomainEvent>(
    streamName: string,
    decider: Decider<State, Command, Event>,
    items: { command: Command; context: CommandContext }[],
  ): Promise<Outcome<State, Event>[]> {
    return this.streamLocks.run(streamName, async () => {
      for (let attempt = 1; ; attempt++) {
        const current = await this.current(streamName, decider);
        let state = current.state;
        const toAppend: EventToAppend[] = [];
        const outcomes: Outcome<State, Event>[] = items.map(({ command, context }) => {
          try {
            if (current.organizationId !== null && current.organizationId !== context.organizationId) {
              throw new DomainError('not-found', 'not-found', 'No such resource.');
            }
            const events = decider.decide(command, state);
            const causationId = randomUUID();
            const occurredAt = new Date().toISOString();
            for (const event of events) {
              const id = eventId(context, streamName, current.revision + 1n + BigInt(toAppend.length));
              toAppend.push(toEventToAppend(event, context, id, causationId, occurredAt));
              state = decider.evolve(state, event);
            }
            return { ok: true, events, state, position: current.position };
          } catch (error) {
            return { ok: false, error };
          }
        });
        if (toAppend.length === 0) return outcomes;
        try {
          const result = await this.store.appendToStream(streamName, toAppend, {
            expectedRevision: current.revision === -1n ? 'no_stream' : current.revision,
          });
          remember(this.cacheFor<State>(decider), streamName, {
            state,
            revision: current.revision + BigInt(toAppend.length),
            position: result.position,
            organizationId: current.organizationId ?? items[0].context.organizationId,
          });
          return outcomes.map((outcome) => (outcome.ok && outcome.events.length > 0 ? { ...outcome, position: result.position } : outcome));
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          if (attempt >= MAX_ATTEMPTS) {
            throw new ProblemException(409, 'concurrency-conflict', 'Conflict', 'The resource was changed by someone else at the same time; retry the request.');
          }
        }
      }
    });
  }
}

/**
 * A stored event of the stream no longer parses: nothing may be decided on the stream (nor
 * shown of it) until the log is restored; the rest of the service works on.
 */
export function unreadableStream(error: UnreadableEventError): ProblemException {
  return new ProblemException(
    503,
    'stream-unreadable',
    'Stored history unreadable',
    `A stored event of this record (position ${error.position}) cannot be read: the event log was altered there. Run GET /v1/audit/verify (or npm run audit -- verify); restore the log from a backup.`,
    { position: error.position.toString() },
  );
}

/** An event as stored: its data, and metadata saying who, on whose behalf, through what, when. */
function toEventToAppend(event: DomainEvent, context: CommandContext, id: string, causationId: string, occurredAt: string): EventToAppend {
  return {
    id,
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
  };
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

function foldOnto<State, Event extends DomainEvent>(
  decider: Pick<Decider<State, never, Event>, 'evolve'>,
  base: FoldedStream<State>,
  events: RecordedEvent[],
): FoldedStream<State> {
  let state = base.state;
  for (const event of events) state = decider.evolve(state, { type: event.type, data: event.data } as unknown as Event);
  const last = events[events.length - 1];
  return { state, revision: last.streamRevision, position: last.position, organizationId: base.organizationId ?? events[0].metadata.organizationId };
}

/** Keeps a folded state, the most recently used last; the least recently used beyond the bound go. */
function remember<State>(cache: Map<string, FoldedStream<State>>, streamName: string, folded: FoldedStream<State>): FoldedStream<State> {
  cache.delete(streamName);
  cache.set(streamName, folded);
  trimOldest(cache, CACHED_STREAMS_PER_DECIDER);
  return folded;
}
