import type { EventOfType, KnownEventType } from '@app/domain';
import { EventShape, RecordedEvent } from '@app/event-store';
import { CollectionName, CollectionSpec, ProjectionWrite, Row } from './read-store';

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

/** The recorded events of the given domain event types, as a union to switch over. */
export type RecordedEventOf<T extends KnownEventType> = RecordedEvent<EventOfType<T>>;

/**
 * A projection of the domain events of the types it declares: `project` is given their typed
 * union (`RecordedEventOf<...>`), so the declared types and the union it switches over are one
 * list, and an event field that is renamed or retyped fails to compile where it is read.
 * Events of other types are never handed to it.
 */
export function projectionOf<const Types extends readonly KnownEventType[]>(definition: {
  name: string;
  collections: CollectionSpec[];
  eventTypes: Types;
  project(event: RecordedEventOf<Types[number]>): ProjectionWrite[];
}): Projection {
  return {
    name: definition.name,
    collections: definition.collections,
    eventTypes: definition.eventTypes,
    project: (event) => (isEventOf(event, definition.eventTypes) ? definition.project(event) : []),
  };
}

const typeSets = new WeakMap<readonly string[], ReadonlySet<string>>();

/** Whether a stored event is of one of these domain event types, and so typed as that event. */
export function isEventOf<const Types extends readonly KnownEventType[]>(event: RecordedEvent<EventShape>, types: Types): event is RecordedEventOf<Types[number]> {
  let set = typeSets.get(types);
  if (!set) typeSets.set(types, (set = new Set(types)));
  // A stored event's type names its data's schema: an event of such a type is that event.
  return set.has(event.type);
}

/** Ends a switch that handled every declared type: a type left out fails to compile here. */
export function unhandled(event: never): never {
  throw new Error(`Unhandled event ${(event as { type?: string }).type}`);
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

// ---------------------------------------------------------------------------------------------
// Writes, checked against the row type of the collection they write
// ---------------------------------------------------------------------------------------------

/** A row's fields other than its id (per member, for a union of row shapes). */
export type RowFields<R extends Row> = R extends Row ? Omit<R, 'id'> : never;

/** Some of a row's fields (all of one member's, for a union of row shapes). */
export type SomeRowFields<R extends Row> = R extends Row ? Partial<Omit<R, 'id'>> : never;

/** The row's numeric fields, which an upsert may increment. */
export type NumericField<R extends Row> = { [K in keyof R]-?: R[K] extends number ? K : never }[keyof R] & string;

export interface UpsertFields<R extends Row> {
  /** Fields written only when the row is created. */
  setOnInsert?: SomeRowFields<R>;
  /** Fields to overwrite. */
  set?: SomeRowFields<R>;
  /** Numeric fields to increment (missing counts as 0). */
  inc?: Partial<Record<NumericField<R>, number>>;
}

/** Creates the row if missing, then writes `fields` unless the row is at >= `position`. */
export function upsert<R extends Row>(collection: CollectionName<R>, id: string, position: bigint, fields: UpsertFields<R>): ProjectionWrite {
  // The store sees plain documents; their fields were checked against R above.
  const document = (fields?: object) => fields as Record<string, unknown> | undefined;
  return {
    op: 'upsert',
    collection,
    id,
    position,
    ...(fields.setOnInsert ? { setOnInsert: document(fields.setOnInsert) } : {}),
    ...(fields.set ? { set: document(fields.set) } : {}),
    ...(fields.inc ? { inc: fields.inc as Record<string, number> } : {}),
  };
}

/** Inserts the whole row once, keyed by its id; an existing id is left as it is. */
export function insert<R extends Row>(collection: CollectionName<R>, row: R): ProjectionWrite {
  const { id, ...doc } = row;
  return { op: 'insert', collection, id, doc };
}

/** Deletes the row unless it was written at a later position. */
export function remove(collection: CollectionName<Row>, id: string, position: bigint): ProjectionWrite {
  return { op: 'delete', collection, id, position };
}
