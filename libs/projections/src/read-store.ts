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

export type Doc = Record<string, unknown> & { id: string };

export interface ReadStore {
  /** Creates collections/tables and indexes; idempotent. */
  ensureCollections(specs: CollectionSpec[]): Promise<void>;

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

  /** Drops a projection's checkpoint and empties its collections, for a rebuild from zero. */
  reset(projection: string, collections: string[]): Promise<void>;

  get(collection: string, id: string): Promise<Doc | null>;

  /** Ordered by id ascending; at most `limit` documents. */
  find(collection: string, query: FindQuery): Promise<Doc[]>;

  close(): Promise<void>;
}
