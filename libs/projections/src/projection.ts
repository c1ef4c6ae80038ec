import { RecordedEvent } from '@app/event-store';
import { CollectionSpec, ProjectionWrite } from './read-store';

/**
 * A projection: a pure function from one stored event to the read-store writes it causes.
 * The name carries a version (`_v1`): a changed projection gets a new name and new
 * collections, so it can be rebuilt beside the live one.
 */
export interface Projection {
  name: string;
  collections: CollectionSpec[];
  /** The event types it handles ('*': every one): the reader hands it only those. */
  eventTypes: readonly string[] | '*';
  project(event: RecordedEvent): ProjectionWrite[];
}

/** Whether the projection handles events of this type. */
export function handles(projection: Projection, type: string): boolean {
  if (projection.eventTypes === '*') return true;
  let types = handledTypes.get(projection);
  if (!types) handledTypes.set(projection, (types = new Set(projection.eventTypes)));
  return types.has(type);
}

const handledTypes = new WeakMap<Projection, ReadonlySet<string>>();

/** Positions as fixed-width text, so that ordering ids as strings orders them by position. */
export function positionKey(position: bigint): string {
  return position.toString().padStart(20, '0');
}
