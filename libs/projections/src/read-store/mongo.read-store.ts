import { AnyBulkWriteOperation, Collection, Db, Document, Filter, Long, MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import { CollectionSpec, Doc, FindQuery, ProjectionBatch, ProjectionWrite, ReadStore } from '../read-store';
import {
  CHECKPOINTS,
  checkCollectionName,
  checkFieldName,
  checkLimit,
  checkPosition,
  checkProjectionName,
  checkWrite,
  fieldsOf,
  incrementsOf,
  prefixRangeOf,
} from './validation';

/**
 * A stored read-model document: `_id` is the document's id and `_pos` the position of the last
 * upsert applied to it, always a BSON int64 (Long) so that positions compare exactly, beyond
 * 2^53 too. -1 marks a document written by an insert, at no position.
 */
export interface StoredDoc {
  _id: string;
  _pos: Long;
  [field: string]: unknown;
}

interface StoredCheckpoint {
  _id: string;
  position: Long;
}

const NOT_WRITTEN = Long.fromNumber(-1);
const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/** Bounded: a duplicate key can only come from a race with another writer on the same id. */
const MAX_DUPLICATE_KEY_RESUMES = 5;

/**
 * The production read store. A batch and its checkpoint are not one transaction (that would cap
 * the batch size and cost a commit round per batch), so every write is made safe to apply twice:
 * an upsert is one update pipeline guarded by the document's last applied position (creation
 * included, so no reader sees a half-made document), inserts use `$setOnInsert`, deletes are
 * guarded too, and the checkpoint is written (with `$max`) only
 * after the whole batch. A batch replayed after a crash changes nothing already applied.
 * Transient errors are thrown; the projection runner retries the batch.
 */
export class MongoReadStore implements ReadStore {
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly ownsClient: boolean;

  /** From a client the caller keeps (and closes), or from a URL, whose client `close` ends. */
  constructor(client: MongoClient | string, databaseName: string) {
    this.ownsClient = typeof client === 'string';
    this.client = typeof client === 'string' ? new MongoClient(client) : client;
    this.db = this.client.db(databaseName);
  }

  /** Optional (the driver connects on first use), but fails fast on a wrong URL. */
  async connect(): Promise<void> {
    await this.client.connect();
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    for (const spec of specs) {
      checkCollectionName(spec.name);
      spec.indexes.forEach((fields) => fields.forEach(checkFieldName));
    }
    for (const spec of specs) {
      await this.createCollection(spec.name);
      for (const fields of spec.indexes) {
        if (fields.length === 0) continue;
        const key: Record<string, 1> = {};
        for (const field of fields) key[field] = 1;
        key._id = 1;
        // Idempotent for the same key pattern.
        await this.collection(spec.name).createIndex(key);
      }
    }
  }

  /** One projection after another: each batch is applied and checkpointed as applyBatch does. */
  async applyBatches(batches: ProjectionBatch[]): Promise<void> {
    for (const { projection, writes, checkpoint } of batches) await this.applyBatch(projection, writes, checkpoint);
  }

  async applyBatch(projection: string, writes: ProjectionWrite[], checkpoint: bigint): Promise<void> {
    checkProjectionName(projection);
    checkPosition(checkpoint);

    // Validate and translate everything before the first write, so a bad write writes nothing.
    const byCollection = new Map<string, AnyBulkWriteOperation<StoredDoc>[]>();
    for (const write of writes) {
      checkWrite(write);
      let operations = byCollection.get(write.collection);
      if (!operations) byCollection.set(write.collection, (operations = []));
      operations.push(...toOperations(write));
    }

    // Collections are independent; order matters only within one, which an ordered bulk keeps.
    // allSettled: nothing of this batch is still in flight when the runner retries it.
    const results = await Promise.allSettled(
      [...byCollection].map(([collection, operations]) => this.writeInOrder(collection, operations)),
    );
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;

    await this.checkpoints().updateOne(
      { _id: projection },
      { $max: { position: Long.fromBigInt(checkpoint) } },
      { upsert: true },
    );
  }

  async getCheckpoint(projection: string): Promise<bigint | undefined> {
    const stored = await this.checkpoints().findOne({ _id: projection }, { promoteLongs: false });
    return stored ? toBigInt(stored.position) : undefined;
  }

  async reset(projection: string, collections: string[]): Promise<void> {
    checkProjectionName(projection);
    collections.forEach(checkCollectionName);
    // Checkpoint first: a crash in between leaves a projection that rebuilds from zero over
    // stale documents (which the position guards handle), never one that resumes over an empty
    // collection.
    await this.checkpoints().deleteOne({ _id: projection });
    for (const name of collections) await this.empty(name);
  }

  async get(collection: string, id: string): Promise<Doc | null> {
    checkCollectionName(collection);
    const stored = await this.collection(collection).findOne({ _id: id }, { projection: { _pos: 0 } });
    return stored ? toDoc(stored) : null;
  }

  async find(collection: string, query: FindQuery): Promise<Doc[]> {
    checkCollectionName(collection);
    checkLimit(query.limit);
    // limit(0) means "no limit" to MongoDB.
    if (query.limit === 0) return [];

    const filter: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(query.where)) {
      checkFieldName(field);
      filter[field] = value;
    }
    const range = prefixRangeOf(query);
    if (range) {
      // A range on the index, not an unanchored regex; the simple collation compares UTF-8
      // bytes (code point order), and type bracketing keeps non-strings out.
      filter[range.field] = range.upper === undefined ? { $gte: range.lower } : { $gte: range.lower, $lt: range.upper };
    }
    if (query.afterId !== undefined || query.beforeId !== undefined) {
      filter._id = { ...(query.afterId !== undefined ? { $gt: query.afterId } : {}), ...(query.beforeId !== undefined ? { $lt: query.beforeId } : {}) };
    }

    const found = await this.collection(collection)
      .find(filter as Filter<StoredDoc>, { projection: { _pos: 0 }, sort: { _id: query.descending ? -1 : 1 }, limit: query.limit })
      .toArray();
    return found.map(toDoc);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  /**
   * One ordered bulk per collection. The operations never fail on an existing id, but two
   * writers creating the same document at once can still see a duplicate-key error (11000);
   * an ordered bulk stops there, so the rest is resumed from that operation, which then finds
   * the document. Any other error is thrown.
   */
  private async writeInOrder(collection: string, operations: AnyBulkWriteOperation<StoredDoc>[]): Promise<void> {
    let from = 0;
    for (let resumes = 0; ; resumes += 1) {
      try {
        await this.collection(collection).bulkWrite(from === 0 ? operations : operations.slice(from), { ordered: true });
        return;
      } catch (error) {
        const failedAt = duplicateKeyIndex(error);
        if (failedAt === undefined || resumes >= MAX_DUPLICATE_KEY_RESUMES) throw error;
        from += failedAt;
      }
    }
  }

  private async createCollection(name: string): Promise<void> {
    if (await this.collectionExists(name)) return;
    try {
      await this.db.createCollection(name);
    } catch (error) {
      // Another process created it first.
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
    }
  }

  /**
   * Drops the collection and recreates its indexes: fast for any size, where deleteMany would
   * delete (and replicate) document by document.
   */
  private async empty(name: string): Promise<void> {
    const collection = this.collection(name);
    if (!(await this.collectionExists(name))) return;
    const indexes = (await collection.indexes()).filter((index) => index.name !== '_id_');
    await collection.drop();
    await this.db.createCollection(name).catch((error: unknown) => {
      if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
    });
    if (indexes.length > 0) {
      await collection.createIndexes(indexes.map((index) => ({ key: index.key, name: index.name })));
    }
  }

  private async collectionExists(name: string): Promise<boolean> {
    const found = await this.db.listCollections({ name }, { nameOnly: true }).toArray();
    return found.length > 0;
  }

  private collection(name: string): Collection<StoredDoc> {
    return this.db.collection<StoredDoc>(name);
  }

  private checkpoints(): Collection<StoredCheckpoint> {
    return this.db.collection<StoredCheckpoint>(CHECKPOINTS);
  }
}

/**
 * The bulk operations one write becomes. Values go through JSON, so that MongoDB stores exactly
 * what the SQLite store would (dates as ISO strings, undefined dropped).
 */
export function toOperations(write: ProjectionWrite): AnyBulkWriteOperation<StoredDoc>[] {
  switch (write.op) {
    case 'upsert':
      return [{ updateOne: { filter: { _id: write.id }, update: upsertPipeline(write), upsert: true } }];
    case 'insert':
      // An existing id is left as it is: the same effect as an insert whose duplicate-key error
      // is ignored, without stopping the ordered bulk.
      return [createIfMissing(write.id, fieldsOf(write.doc))];
    case 'delete':
      return [{ deleteOne: { filter: { _id: write.id, _pos: { $lte: Long.fromBigInt(write.position) } } } }];
    default:
      throw new Error(`Unknown read-store write ${JSON.stringify((write as { op?: unknown }).op)}`);
  }
}

/**
 * An upsert as one update pipeline, applied atomically to one document: readers never see a
 * document created but not yet written. The stage reads the document as it was: `_pos`
 * missing means it is being created (setOnInsert fields apply); `set`, `inc` and `_pos` apply
 * only when the document is behind the write's position, else each field keeps its value
 * (a field the document lacks stays absent). Values are `$literal`s: a string starting with
 * `$` or an object is stored as it is, never read as an expression.
 */
function upsertPipeline(write: Extract<ProjectionWrite, { op: 'upsert' }>): Document[] {
  const set = asJson(fieldsOf(write.set));
  const onInsert = asJson(fieldsOf(write.setOnInsert));
  const inc = incrementsOf(write, set);
  const position = Long.fromBigInt(write.position);
  const isNew = { $eq: [{ $type: '$_pos' }, 'missing'] };
  const applies = { $lt: [{ $ifNull: ['$_pos', NOT_WRITTEN] }, position] };
  const fields: Document = {};
  for (const [field, value] of Object.entries(onInsert)) fields[field] = { $cond: [isNew, { $literal: value }, `$${field}`] };
  for (const [field, value] of Object.entries(set)) fields[field] = { $cond: [applies, { $literal: value }, `$${field}`] };
  for (const [field, by] of Object.entries(inc)) {
    // Missing counts as 0; a field the same write creates starts from its setOnInsert value.
    const current = { $ifNull: [`$${field}`, 0] };
    const base = field in onInsert ? { $cond: [isNew, { $literal: onInsert[field] }, current] } : current;
    fields[field] = { $cond: [applies, { $add: [base, by] }, `$${field}`] };
  }
  fields._pos = { $cond: [applies, position, '$_pos'] };
  return [{ $set: fields }];
}

function createIfMissing(id: string, fields: Record<string, unknown>): AnyBulkWriteOperation<StoredDoc> {
  return {
    updateOne: {
      filter: { _id: id },
      update: { $setOnInsert: { ...asJson(fields), _pos: NOT_WRITTEN } },
      upsert: true,
    },
  };
}

function asJson(fields: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
}

/**
 * Where an ordered bulk stopped on a duplicate key: the index of the failed operation, or
 * undefined if the error is anything else (including a network or write-concern error, which
 * the driver also reports as a MongoBulkWriteError).
 */
export function duplicateKeyIndex(error: unknown): number | undefined {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0 || error.result?.getWriteConcernError()) return undefined;
  if (!writeErrors.every((writeError) => writeError?.code === DUPLICATE_KEY)) return undefined;
  return Math.min(...writeErrors.map((writeError) => writeError.index));
}

function toDoc(stored: Document): Doc {
  const { _id, _pos, ...fields } = stored;
  return { id: String(_id), ...fields };
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (Long.isLong(value)) return value.toBigInt();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new Error(`Unexpected stored checkpoint ${String(value)}`);
}
