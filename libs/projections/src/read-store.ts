/**
 * The read-store port: a small document store the projections write and the queries read.
 * Adapters: SQLite (embedded default) and MongoDB; both pass `testing/read-store.contract.ts`.
 *
 * Documents are plain JSON objects with a string `id`. Writes come only from projections, as
 * declarative operations that are safe to apply twice ("exactly once in effect"): every
 * upsert carries the global position of the event that caused it and is skipped when the
 * document already reflects that position or a later one; inserts are keyed and ignored
 * when the key exists.
 */

export type Scalar = string | number | boolean | null;

export type ProjectionWrite =
  | {
      /** Create the document if missing, then apply `set`/`inc` unless it is at >= position. */
      op: 'upsert';
      collection: string;
      id: string;
      position: bigint;
      /** Fields written only when the document is created. */
      setOnInsert?: Record<string, unknown>;
      /** Top-level fields to overwrite. */
      set?: Record<string, unknown>;
      /** Top-level numeric fields to increment (missing counts as 0). */
      inc?: Record<string, number>;
    }
  | {
      /** Insert once; an existing id is left as it is (duplicate deliveries are ignored). */
      op: 'insert';
      collection: string;
      id: string;
      doc: Record<string, unknown>;
    }
  | {
      /** Delete unless the document was written at a later position. */
      op: 'delete';
      collection: string;
      id: string;
      position: bigint;
    };

/** A projection's writes for one page of the log, and the position it has then reached. */
export interface ProjectionBatch {
  projection: string;
  writes: ProjectionWrite[];
  checkpoint: bigint;
  /**
   * The generation the batch writes (omitted: the live one): its collections, and its
   * checkpoint. A batch for a generation that is neither live nor being built is refused
   * (StaleGenerationError).
   */
  generation?: number;
  /** The writer's lease: the batch is refused (LeaseLostError) unless the writer still holds it. */
  lease?: Lease;
}

/**
 * A runner's hold on one projection: only the holder writes it. The epoch is the fencing
 * token: it grows whenever the lease changes hands, and a store refuses the writes of any
 * other epoch, so a deposed holder's late batch changes nothing.
 */
export interface Lease {
  projection: string;
  holder: string;
  epoch: number;
  /** Until when the holder may count on it without renewing (ms since 1970, the store's clock). */
  expiresAt: number;
}

/** A lease as others see it, with what its holder last said about the projection. */
export interface LeaseRecord extends Lease {
  /** The holder has let it go, or has not renewed it in time. */
  expired: boolean;
  /** The holder's last report (JSON), published with each renewal. */
  report: unknown;
}

export interface AcquireLeaseOptions {
  /** Published with the lease, for operators of other instances. */
  report?: unknown;
  /** Takes the lease from this holder at this epoch even before it expires (a holder known to have ended). */
  evict?: { holder: string; epoch: number };
}

/** The writer no longer holds the projection's lease: another runner took it over. */
export class LeaseLostError extends Error {
  constructor(readonly projection: string) {
    super(`The lease on projection ${projection} is held by another runner now`);
    this.name = 'LeaseLostError';
  }
}

/** The batch's generation is no longer live nor being built (it was replaced, or abandoned). */
export class StaleGenerationError extends Error {
  constructor(
    readonly projection: string,
    readonly generation: number,
  ) {
    super(`Generation ${generation} of projection ${projection} is neither live nor being built`);
    this.name = 'StaleGenerationError';
  }
}

/**
 * A projection's generations: the live one answers the queries; a rebuild builds the next one
 * beside it, in collections of its own, and makes it live in one step once it has caught up.
 * Generation 0 keeps the collections' own names; generation n > 0 lives in `<name>__g<n>`.
 */
export interface ProjectionGenerations {
  live: number;
  building: { generation: number; checkpoint: bigint | undefined } | null;
  /** An operator asked for a rebuild that the projection's runner has not started yet. */
  rebuildRequested: boolean;
}

/** A projection as the read store needs to know it: its name and the collections it owns. */
export interface ProjectionSpec {
  name: string;
  collections: CollectionSpec[];
}

export interface CollectionSpec {
  name: string;
  /** Equality filters the queries use; each becomes an index ending with `id`. */
  indexes: string[][];
}

export interface FindQuery {
  /** Equality on top-level fields; every key must be the leading fields of a declared index. */
  where: Record<string, Scalar>;
  /**
   * Only documents whose top-level string `field` starts with `value` (code point by code
   * point, case- and accent-sensitive: normalize both sides first, e.g. with `searchKey`).
   * Numbers, null, objects and missing fields never match (arrays are not supported: MongoDB
   * would match their elements); an empty value matches every string. Served as a range
   * (`>= value AND < successor(value)`) by an index declared as `[...whereFields, field]`;
   * the field must not also be in `where`. Results are still ordered by id.
   */
  prefix?: { field: string; value: string };
  /** Exclusive cursor: only ids greater than this one. Results are ordered by id. */
  afterId?: string;
  /** Exclusive cursor the other way: only ids lower than this one. */
  beforeId?: string;
  /** Newest ids first (descending order), for reading backwards. */
  descending?: boolean;
  limit: number;
}

/** A document whose shape the reader does not know (a collection named by a plain string). */
export type Doc = Record<string, unknown> & { id: string };

/** What every row has: its id. A collection's row type (`PortalAccessRow`, ...) extends it. */
export interface Row {
  id: string;
}

declare const ROW_TYPE: unique symbol;

/**
 * A collection's name, carrying the type of its rows: `get` and `find` answer rows of that
 * type, and a projection's writes to it are checked against it (`upsert`, `insert` in
 * projection.ts). A plain string names a collection of untyped `Doc`s.
 */
export type CollectionName<R extends Row = Doc> = string & { readonly [ROW_TYPE]?: R };

/** Names a collection whose rows are `R`. */
export function collection<R extends Row>(name: string): CollectionName<R> {
  return name;
}

export interface ReadStore {
  /**
   * A store on this host's disk (SQLite): a lease held by a process of this host that has
   * ended can be taken at once.
   */
  readonly onLocalDisk: boolean;

  /** Creates collections/tables and indexes (those of the live generation, for an owned collection); idempotent. */
  ensureCollections(specs: CollectionSpec[]): Promise<void>;

  /**
   * Records which projection owns which collections (queries name collections; the store
   * maps each to its owner's live generation) and creates the collections of the live
   * generation, and of the one being built; idempotent.
   */
  ensureProjections(projections: ProjectionSpec[]): Promise<void>;

  /**
   * Applies a projection's batch and then records its checkpoint. SQLite does both in one
   * transaction; MongoDB writes the batch (idempotently) and then the checkpoint.
   */
  applyBatch(projection: string, writes: ProjectionWrite[], checkpoint: bigint): Promise<void>;

  /**
   * Several projections' batches of one page of the log, each with its checkpoint: SQLite
   * commits them all in one transaction; MongoDB applies them one after another, each as
   * applyBatch does.
   */
  applyBatches(batches: ProjectionBatch[]): Promise<void>;

  /** Last position the projection has fully applied, or undefined if it never ran. */
  getCheckpoint(projection: string): Promise<bigint | undefined>;

  /**
   * Drops a projection's checkpoint and empties its (live) collections, for a replay from zero
   * while nothing else writes the projection. Runners rebuild with generations instead.
   */
  reset(projection: string, collections: string[]): Promise<void>;

  /** The projection's generations (live 0 and none being built for one never seen). */
  generations(projection: string): Promise<ProjectionGenerations>;

  /**
   * Starts building a new generation of the projection beside the live one: its collections
   * are created empty, it has no checkpoint yet, and a pending rebuild request is cleared. A
   * generation still being built is abandoned (its collections dropped). Answers its number.
   */
  startGeneration(projection: ProjectionSpec, lease?: Lease): Promise<number>;

  /**
   * Makes the generation being built live in one step: its checkpoint becomes the
   * projection's, queries read its collections from then on, and the previous generation's
   * collections are dropped (at once on SQLite; on MongoDB after a grace period, so that a
   * reader still on the old mapping never meets a dropped collection).
   */
  promoteGeneration(projection: ProjectionSpec, generation: number, lease?: Lease): Promise<void>;

  /** Drops the collections of generations replaced or abandoned whose grace period is over. */
  dropRetiredGenerations(projection: ProjectionSpec): Promise<void>;

  /** Records an operator's request to rebuild the projection; its runner starts it. */
  requestRebuild(projection: string): Promise<void>;

  /**
   * Takes the projection's lease for `ttlMs`, or renews it for its holder (same epoch). Answers
   * null while another holder has it and it has not expired (nor is evicted).
   */
  acquireLease(projection: string, holder: string, ttlMs: number, options?: AcquireLeaseOptions): Promise<Lease | null>;

  /** Lets the lease go at once (another runner may take it), if still held at that epoch. */
  releaseLease(lease: Lease): Promise<void>;

  /** Every projection's lease, as it stands. */
  leases(): Promise<LeaseRecord[]>;

  get<R extends Row = Doc>(collection: CollectionName<R>, id: string): Promise<R | null>;

  /** Ordered by id ascending; at most `limit` documents. */
  find<R extends Row = Doc>(collection: CollectionName<R>, query: FindQuery): Promise<R[]>;

  close(): Promise<void>;
}
