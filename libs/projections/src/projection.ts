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
  project(event: RecordedEvent): ProjectionWrite[];
}

/** Positions as fixed-width text, so that ordering ids as strings orders them by position. */
export function positionKey(position: bigint): string {
  return position.toString().padStart(20, '0');
}
