import { AnyBulkWriteOperation, ClientSession, Collection, Db, Document, Filter, Long, MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import {
  AcquireLeaseOptions,
  CollectionName,
  CollectionSpec,
  Doc,
  FindQuery,
  Lease,
  LeaseLostError,
  LeaseRecord,
  ProjectionBatch,
  ProjectionGenerations,
  ProjectionSpec,
  ProjectionWrite,
  ReadStore,
  Row,
  StaleGenerationError,
} from '../read-store';
import {
  CHECKPOINTS,
  checkCollectionName,
  checkFieldName,
  checkLimit,
  checkPosition,
  checkProjectionName,
  checkWrite,
  fieldsOf,
  generationName,
  GENERATIONS,
  incrementsOf,
  LEASES,
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
  /** The generation the position is of (missing: 0, as written before generations). */
  generation?: number;
}

/** One document per projection: its generations, and the collections it owns. */
export interface StoredGenerations {
  _id: string;
  live: number;
  /** The highest generation ever started: numbers are never reused. */
  last: number;
  building: { generation: number; checkpoint: Long | null } | null;
  rebuildRequested: boolean;
  /** Generations replaced or abandoned, and when (server time): dropped after the grace period. */
  retired: Array<{ generation: number; at: Date }>;
  collections: string[];
}

interface StoredLease {
  _id: string;
  holder: string | null;
  epoch: number;
  expiresAt: Date;
  report?: unknown;
  writtenAt?: Date;
}

export interface MongoReadStoreOptions {
  /** How long a read trusts its cached map of collections to live generations. */
  mappingTtlMs?: number;
  /** How long a replaced generation's collections are kept for readers still on the old map. */
  retiredGraceMs?: number;
}

const NOT_WRITTEN = Long.fromNumber(-1);
const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;
/** Bounded: a duplicate key can only come from a race with another writer on the same id. */
const MAX_DUPLICATE_KEY_RESUMES = 5;
const TRANSACTION = { readConcern: { level: 'snapshot' as const }, writeConcern: { w: 'majority' as const }, readPreference: 'primary' as const };

/**
 * The production read store. Without a lease, a batch and its checkpoint are not one
 * transaction, so every write is made safe to apply twice: an upsert is one update pipeline
 * guarded by the document's last applied position (creation included, so no reader sees a
 * half-made document), inserts use `$setOnInsert`, deletes are guarded too, and the checkpoint
 * is written (with `$max`, for its generation only) after the whole batch. A runner's batch
 * carries its lease: it is then one transaction that first writes the lease document, so a
 * takeover either comes before it (the batch is refused) or after it, never in between: a
 * deposed runner's late writes never land. Queries map a collection to its owner's live
 * generation through a briefly cached map (refreshed at once when a checkpoint shows another
 * generation); replaced collections are dropped only after a grace period, so that a reader
 * still on the old map never meets a dropped collection. Transient errors are thrown; the
 * projection runner retries the batch.
 */
export class MongoReadStore implements ReadStore {
  readonly onLocalDisk = false;
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly ownsClient: boolean;
  private readonly mappingTtlMs: number;
  private readonly retiredGraceMs: number;
  private mapping: { at: number; byCollection: Map<string, number>; byProjection: Map<string, number> } | undefined;
  private loadingMapping: Promise<NonNullable<MongoReadStore['mapping']>> | undefined;

  /** From a client the caller keeps (and closes), or from a URL, whose client `close` ends. */
  constructor(client: MongoClient | string, databaseName: string, options: MongoReadStoreOptions = {}) {
    this.ownsClient = typeof client === 'string';
    this.client = typeof client === 'string' ? new MongoClient(client) : client;
    this.db = this.client.db(databaseName);
    this.mappingTtlMs = options.mappingTtlMs ?? 1_000;
    this.retiredGraceMs = options.retiredGraceMs ?? 60_000;
  }

  /** Optional (the driver connects on first use), but fails fast on a wrong URL. */
  async connect(): Promise<void> {
    await this.client.connect();
  }

  async ensureCollections(specs: CollectionSpec[]): Promise<void> {
    specs.forEach(checkSpec);
    this.mapping = undefined;
    for (const spec of specs) await this.createWithIndexes(await this.physical(spec.name), spec);
  }

  async ensureProjections(projections: ProjectionSpec[]): Promise<void> {
    for (const projection of projections) {
      checkProjectionName(projection.name);
      projection.collections.forEach(checkSpec);
    }
    for (const projection of projections) {
      const stored = await this.ensureGenerations(projection.name, projection.collections.map((c) => c.name));
      const generations = stored.building ? [stored.live, stored.building.generation] : [stored.live];
      for (const generation of generations) {
        for (const spec of projection.collections) await this.createWithIndexes(generationName(spec.name, generation), spec);
      }
    }
    this.mapping = undefined;
  }

  /** One projection after another: each batch is applied and checkpointed as applyBatch does. */
  async applyBatches(batches: ProjectionBatch[]): Promise<void> {
    for (const batch of batches) await this.apply(batch);
  }

  async applyBatch(projection: string, writes: ProjectionWrite[], checkpoint: bigint): Promise<void> {
    return this.apply({ projection, writes, checkpoint });
  }

  private async apply(batch: ProjectionBatch): Promise<void> {
    checkProjectionName(batch.projection);
    checkPosition(batch.checkpoint);

    // Validate and translate everything before the first write, so a bad write writes nothing.
    const byCollection = new Map<string, AnyBulkWriteOperation<StoredDoc>[]>();
    for (const write of batch.writes) {
      checkWrite(write);
      let operations = byCollection.get(write.collection);
      if (!operations) byCollection.set(write.collection, (operations = []));
      operations.push(...toOperations(write));
    }
    if (batch.lease) {
      const lease = batch.lease;
      if (lease.projection !== batch.projection) throw new LeaseLostError(batch.projection);
      return this.withLease(lease, (session) => this.write(batch, byCollection, session));
    }
    return this.write(batch, byCollection, undefined);
  }

  /** The batch's writes into its generation's collections, then that generation's checkpoint. */
  private async write(batch: ProjectionBatch, byCollection: Map<string, AnyBulkWriteOperation<StoredDoc>[]>, session: ClientSession | undefined): Promise<void> {
    const { projection, checkpoint } = batch;
    const stored = await this.generationsCollection().findOne({ _id: projection }, { session, promoteLongs: false });
    const live = stored?.live ?? 0;
    const generation = batch.generation ?? live;
    if (generation !== live && generation !== stored?.building?.generation) throw new StaleGenerationError(projection, generation);

    if (session) {
      // One operation at a time within a transaction.
      for (const [collection, operations] of byCollection) {
        await this.collection(generationName(collection, generation)).bulkWrite(operations, { ordered: true, session });
      }
    } else {
      // Collections are independent; order matters only within one, which an ordered bulk keeps.
      // allSettled: nothing of this batch is still in flight when the runner retries it.
      const results = await Promise.allSettled(
        [...byCollection].map(([collection, operations]) => this.writeInOrder(generationName(collection, generation), operations)),
      );
      const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failure) throw failure.reason;
    }

    const position = Long.fromBigInt(checkpoint);
    if (generation !== live) {
      const advanced = await this.generationsCollection().updateOne(
        { _id: projection, 'building.generation': generation },
        { $max: { 'building.checkpoint': position } },
        { session },
      );
      if (advanced.matchedCount === 0) throw new StaleGenerationError(projection, generation);
      return;
    }
    try {
      // The checkpoint of this generation only: never raised back after another generation took over.
      await this.checkpoints().updateOne(
        { _id: projection, generation: { $in: [generation, null] } } as Filter<StoredCheckpoint>,
        { $max: { position }, $set: { generation } },
        { upsert: true, session },
      );
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) throw new StaleGenerationError(projection, generation);
      throw error;
    }
  }

  async getCheckpoint(projection: string): Promise<bigint | undefined> {
    const stored = await this.checkpoints().findOne({ _id: projection }, { promoteLongs: false });
    // A checkpoint of another generation than the map says: the map is stale, read it again.
    if (stored && this.mapping && (this.mapping.byProjection.get(projection) ?? 0) !== (stored.generation ?? 0)) this.mapping = undefined;
    return stored ? toBigInt(stored.position) : undefined;
  }

  async reset(projection: string, collections: string[]): Promise<void> {
    checkProjectionName(projection);
    collections.forEach(checkCollectionName);
    // Checkpoint first: a crash in between leaves a projection that rebuilds from zero over
    // stale documents (which the position guards handle), never one that resumes over an empty
    // collection.
    await this.checkpoints().deleteOne({ _id: projection });
    this.mapping = undefined;
    for (const name of collections) await this.empty(await this.physical(name));
  }

  async generations(projection: string): Promise<ProjectionGenerations> {
    const stored = await this.generationsCollection().findOne({ _id: projection }, { promoteLongs: false });
    if (!stored) return { live: 0, building: null, rebuildRequested: false };
    return {
      live: stored.live,
      building: stored.building ? { generation: stored.building.generation, checkpoint: stored.building.checkpoint === null ? undefined : toBigInt(stored.building.checkpoint) } : null,
      rebuildRequested: stored.rebuildRequested === true,
    };
  }

  async startGeneration(projection: ProjectionSpec, lease?: Lease): Promise<number> {
    checkProjectionName(projection.name);
    projection.collections.forEach(checkSpec);
    await this.ensureGenerations(projection.name, projection.collections.map((c) => c.name));
    // A number of its own, never used before: a late writer of an abandoned one cannot reach it.
    const reserved = await this.generationsCollection().findOneAndUpdate({ _id: projection.name }, { $inc: { last: 1 } }, { returnDocument: 'after' });
    if (!reserved) throw new Error(`No generations recorded for projection ${projection.name}`);
    const generation = Math.max(reserved.last, reserved.live + 1);
    for (const spec of projection.collections) await this.createWithIndexes(generationName(spec.name, generation), spec);
    const start = async (session?: ClientSession) => {
      await this.generationsCollection().updateOne(
        { _id: projection.name },
        [
          {
            $set: {
              // One still being built is abandoned: retired, dropped after the grace period.
              retired: {
                $concatArrays: [
                  { $ifNull: ['$retired', []] },
                  { $cond: [{ $eq: [{ $ifNull: ['$building', null] }, null] }, [], [{ generation: '$building.generation', at: '$$NOW' }]] },
                ],
              },
              building: { $literal: { generation, checkpoint: null } },
              last: { $max: ['$last', generation] },
              rebuildRequested: false,
            },
          },
        ],
        { session },
      );
    };
    if (lease) await this.withLease(lease, start);
    else await start();
    return generation;
  }

  async promoteGeneration(projection: ProjectionSpec, generation: number, lease?: Lease): Promise<void> {
    checkProjectionName(projection.name);
    const promote = async (session?: ClientSession) => {
      const stored = await this.generationsCollection().findOne({ _id: projection.name }, { session, promoteLongs: false });
      if (!stored?.building || stored.building.generation !== generation) throw new StaleGenerationError(projection.name, generation);
      await this.generationsCollection().updateOne(
        { _id: projection.name, 'building.generation': generation },
        [
          {
            $set: {
              retired: { $concatArrays: [{ $ifNull: ['$retired', []] }, [{ generation: '$live', at: '$$NOW' }]] },
              live: generation,
              building: null,
            },
          },
        ],
        { session },
      );
      const checkpoint = stored.building.checkpoint;
      if (checkpoint === null) await this.checkpoints().deleteOne({ _id: projection.name }, { session });
      else await this.checkpoints().updateOne({ _id: projection.name }, { $set: { position: checkpoint, generation } }, { upsert: true, session });
    };
    if (lease) await this.withLease(lease, promote);
    else await promote();
    this.mapping = undefined;
  }

  async dropRetiredGenerations(projection: ProjectionSpec): Promise<void> {
    // Server time decides the grace period, as it stamped the retirement.
    const [stored] = await this.generationsCollection()
      .aggregate<Pick<StoredGenerations, 'live' | 'building' | 'retired' | 'collections'>>([
        { $match: { _id: projection.name } },
        {
          $project: {
            live: 1,
            building: 1,
            collections: 1,
            retired: { $filter: { input: { $ifNull: ['$retired', []] }, cond: { $lte: ['$$this.at', { $subtract: ['$$NOW', this.retiredGraceMs] }] } } },
          },
        },
      ])
      .toArray();
    if (!stored) return;
    const names = new Set([...projection.collections.map((c) => c.name), ...(stored.collections ?? [])]);
    for (const { generation } of stored.retired) {
      if (generation !== stored.live && generation !== stored.building?.generation) {
        for (const name of names) {
          const physical = generationName(name, generation);
          if (await this.collectionExists(physical)) await this.collection(physical).drop().catch(ignoreMissingNamespace);
        }
      }
      await this.generationsCollection().updateOne({ _id: projection.name }, { $pull: { retired: { generation } } });
    }
  }

  async requestRebuild(projection: string): Promise<void> {
    checkProjectionName(projection);
    await this.ensureGenerations(projection, []);
    await this.generationsCollection().updateOne({ _id: projection }, { $set: { rebuildRequested: true } });
  }

  async acquireLease(projection: string, holder: string, ttlMs: number, options: AcquireLeaseOptions = {}): Promise<Lease | null> {
    checkProjectionName(projection);
    // An upsert cannot be filtered on the server's clock ($expr): the document is made first.
    await this.leaseCollection()
      .updateOne({ _id: projection }, { $setOnInsert: { holder: null, epoch: 0, expiresAt: new Date(0) } }, { upsert: true })
      .catch(ignoreDuplicateKey);
    const takeable: Filter<StoredLease>[] = [{ holder }, { holder: null }, { $expr: { $lte: ['$expiresAt', '$$NOW'] } }];
    if (options.evict) takeable.push({ holder: options.evict.holder, epoch: options.evict.epoch });
    const taken = await this.leaseCollection().findOneAndUpdate(
      { _id: projection, $or: takeable },
      [
        {
          $set: {
            epoch: { $cond: [{ $eq: ['$holder', { $literal: holder }] }, '$epoch', { $add: ['$epoch', 1] }] },
            holder: { $literal: holder },
            expiresAt: { $add: ['$$NOW', ttlMs] },
            report: { $literal: options.report ?? null },
          },
        },
      ],
      { returnDocument: 'after' },
    );
    return taken ? { projection, holder, epoch: taken.epoch, expiresAt: taken.expiresAt.getTime() } : null;
  }

  async releaseLease(lease: Lease): Promise<void> {
    await this.leaseCollection().updateOne({ _id: lease.projection, holder: lease.holder, epoch: lease.epoch }, { $set: { holder: null, expiresAt: new Date(0) } });
  }

  async leases(): Promise<LeaseRecord[]> {
    const stored = await this.leaseCollection()
      .aggregate<StoredLease & { expired: boolean }>([
        { $addFields: { expired: { $or: [{ $eq: ['$holder', null] }, { $lte: ['$expiresAt', '$$NOW'] }] } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    return stored.map((lease) => ({
      projection: lease._id,
      holder: lease.holder ?? '',
      epoch: lease.epoch,
      expiresAt: lease.expiresAt.getTime(),
      expired: lease.expired,
      report: lease.report ?? null,
    }));
  }

  async get<R extends Row = Doc>(collection: CollectionName<R>, id: string): Promise<R | null> {
    checkCollectionName(collection);
    const stored = await this.collection(await this.physical(collection)).findOne({ _id: id }, { projection: { _pos: 0 } });
    return stored ? toDoc<R>(stored) : null;
  }

  async find<R extends Row = Doc>(collection: CollectionName<R>, query: FindQuery): Promise<R[]> {
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

    const found = await this.collection(await this.physical(collection))
      .find(filter as Filter<StoredDoc>, { projection: { _pos: 0 }, sort: { _id: query.descending ? -1 : 1 }, limit: query.limit })
      .toArray();
    return found.map((stored) => toDoc<R>(stored));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  /**
   * Runs `work` in a transaction that first writes the lease document at the lease's epoch: a
   * takeover is a write to that document too, so the two conflict and never interleave.
   */
  private async withLease(lease: Lease, work: (session: ClientSession) => Promise<void>): Promise<void> {
    const session = this.client.startSession();
    try {
      await session.withTransaction(async () => {
        const held = await this.leaseCollection().updateOne(
          { _id: lease.projection, holder: lease.holder, epoch: lease.epoch },
          { $currentDate: { writtenAt: true } },
          { session },
        );
        if (held.matchedCount === 0) throw new LeaseLostError(lease.projection);
        await work(session);
      }, TRANSACTION);
    } finally {
      await session.endSession();
    }
  }

  /** The collection's name in its owner's live generation, from the cached map. */
  private async physical(collection: string): Promise<string> {
    let mapping = this.mapping;
    if (!mapping || Date.now() - mapping.at >= this.mappingTtlMs) {
      this.loadingMapping ??= this.loadMapping().finally(() => (this.loadingMapping = undefined));
      mapping = await this.loadingMapping;
    }
    return generationName(collection, mapping.byCollection.get(collection) ?? 0);
  }

  private async loadMapping(): Promise<NonNullable<MongoReadStore['mapping']>> {
    const at = Date.now();
    const stored = await this.generationsCollection()
      .find({}, { projection: { live: 1, collections: 1 } })
      .toArray();
    const byCollection = new Map<string, number>();
    const byProjection = new Map<string, number>();
    for (const generations of stored) {
      byProjection.set(generations._id, generations.live ?? 0);
      for (const collection of generations.collections ?? []) byCollection.set(collection, generations.live ?? 0);
    }
    this.mapping = { at, byCollection, byProjection };
    return this.mapping;
  }

  /** The projection's generations document, made if missing, with these collections recorded as its own. */
  private async ensureGenerations(projection: string, collections: string[]): Promise<StoredGenerations> {
    const update = {
      $setOnInsert: { live: 0, last: 0, building: null, rebuildRequested: false, retired: [] },
      $addToSet: { collections: { $each: collections } },
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const stored = await this.generationsCollection().findOneAndUpdate({ _id: projection }, update, { upsert: true, returnDocument: 'after', promoteLongs: false });
        if (stored) return stored;
      } catch (error) {
        // Two processes made it at once: the second one finds it the next time.
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
      }
    }
    throw new Error(`Could not record the generations of projection ${projection}`);
  }

  private async createWithIndexes(physical: string, spec: CollectionSpec): Promise<void> {
    await this.createCollection(physical);
    for (const fields of spec.indexes) {
      if (fields.length === 0) continue;
      const key: Record<string, 1> = {};
      for (const field of fields) key[field] = 1;
      key._id = 1;
      // Idempotent for the same key pattern.
      await this.collection(physical).createIndex(key);
    }
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

  private generationsCollection(): Collection<StoredGenerations> {
    return this.db.collection<StoredGenerations>(GENERATIONS);
  }

  private leaseCollection(): Collection<StoredLease> {
    return this.db.collection<StoredLease>(LEASES);
  }
}

function checkSpec(spec: CollectionSpec): void {
  checkCollectionName(spec.name);
  spec.indexes.forEach((fields) => fields.forEach(checkFieldName));
}

function ignoreDuplicateKey(error: unknown): void {
  if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
}

function ignoreMissingNamespace(error: unknown): void {
  // NamespaceNotFound: another instance dropped it first.
  if (!(error instanceof MongoServerError && error.code === 26)) throw error;
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

/** A stored document as the row its projection wrote (the collection's row type: the projection's writes were checked against it). */
function toDoc<R extends Row>(stored: Document): R {
  const { _id, _pos, ...fields } = stored;
  return { id: String(_id), ...fields } as R;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (Long.isLong(value)) return value.toBigInt();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new Error(`Unexpected stored checkpoint ${String(value)}`);
}
