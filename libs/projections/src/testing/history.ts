import { randomUUID } from 'node:crypto';
import { Decider, DomainEvent } from '@app/domain';
import { EventMetadata, RecordedEvent } from '@app/event-store';
import { handles, Projection } from '../projection';
import { recordedEvent } from './events';
import { Doc, ProjectionBatch, ReadStore } from '../read-store';

/** Who acted, through what, when, and for which organization (the history's own unless given). */
export interface Act {
  at: string;
  organizationId?: string;
  actor?: EventMetadata['actor'];
  channel?: EventMetadata['channel'];
}

/**
 * A history of stored events made by running commands through the domain's deciders at chosen
 * instants, as the command handlers would: what projection and report specs are given. Each
 * stream's state is folded as events are decided; positions start at 1 and go up by one.
 */
export class History {
  readonly events: RecordedEvent[] = [];
  private readonly streams = new Map<string, { state: unknown; revision: bigint }>();

  constructor(readonly organizationId: string) {}

  /** Decides a command on a stream's current state; records and returns the events. */
  run<S, C, E extends DomainEvent>(decider: Decider<S, C, E>, stream: string, command: C, act: Act): E[] {
    const current = this.streams.get(stream) ?? { state: decider.initialState(), revision: -1n };
    const events = decider.decide(command, current.state as S);
    let state = current.state as S;
    let revision = current.revision;
    const correlationId = randomUUID();
    for (const event of events) {
      state = decider.evolve(state, event);
      revision += 1n;
      this.events.push(
        recordedEvent(event, {
          organizationId: act.organizationId ?? this.organizationId,
          actor: act.actor ?? { kind: 'staff', id: 'key-history' },
          channel: act.channel ?? 'api',
          at: act.at,
          correlationId,
          stream,
          revision,
          position: BigInt(this.events.length + 1),
        }),
      );
    }
    this.streams.set(stream, { state, revision });
    return events;
  }

  /** The folded state of a stream (what a command handler would load). */
  state<S>(stream: string): S | undefined {
    return this.streams.get(stream)?.state as S | undefined;
  }
}

/**
 * Applies events to a read store as the projection runner does: page by page, each page's
 * writes of every projection and their checkpoints in one `applyBatches`.
 */
export async function applyEvents(readStore: ReadStore, projections: Projection[], events: readonly RecordedEvent[], pageSize = 100): Promise<void> {
  await readStore.ensureCollections(projections.flatMap((p) => p.collections));
  for (let start = 0; start < events.length; start += pageSize) {
    const page = events.slice(start, start + pageSize);
    const checkpoint = page[page.length - 1].position;
    const batches: ProjectionBatch[] = projections.map((projection) => ({
      projection: projection.name,
      writes: page.filter((event) => handles(projection, event.type)).flatMap((event) => projection.project(event)),
      checkpoint,
    }));
    await readStore.applyBatches(batches);
  }
}

/** Every document of the projections' collections, by collection, in id order. */
export async function dumpCollections(readStore: ReadStore, projections: Projection[]): Promise<Record<string, Doc[]>> {
  const dump: Record<string, Doc[]> = {};
  for (const { name } of projections.flatMap((p) => p.collections)) {
    const docs: Doc[] = [];
    for (let afterId: string | undefined; ; ) {
      const page = await readStore.find(name, { where: {}, afterId, limit: 1000 });
      docs.push(...page);
      if (page.length < 1000) break;
      afterId = page[page.length - 1].id;
    }
    dump[name] = docs;
  }
  return dump;
}

/** A small deterministic pseudo-random generator (mulberry32), so that a failure reproduces. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
