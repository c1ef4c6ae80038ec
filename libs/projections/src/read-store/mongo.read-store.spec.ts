import { MongoDBContainer, StartedMongoDBContainer } from '@testcontainers/mongodb';
import { AnyBulkWriteOperation, Document, Long, MongoBulkWriteError, MongoClient } from 'mongodb';
import { describeWithContainers } from '../../../../test/support/containers';
import { ProjectionWrite } from '../read-store';
import { readStoreContract } from '../testing/read-store.contract';
import { runnerScenarios } from '../testing/runner-scenarios';
import { createReadStore, mongoDatabaseName } from './index';
import { duplicateKeyIndex, MongoReadStore, StoredDoc, toOperations } from './mongo.read-store';

/** A MongoBulkWriteError as the driver raises it for an ordered bulk that stopped on a write. */
function bulkError(writeErrors: Array<{ code: number; index: number }>, writeConcernError?: Document): MongoBulkWriteError {
  const result = { getWriteConcernError: () => writeConcernError } as unknown as ConstructorParameters<typeof MongoBulkWriteError>[1];
  const first = writeErrors[0] ?? { code: 64 };
  return new MongoBulkWriteError({ message: 'write failed', code: first.code, writeErrors: writeErrors as never }, result);
}

describe('MongoReadStore without a server', () => {
  it('turns an upsert into one update pipeline: created and written at once, guarded by position', () => {
    const position = Long.fromBigInt(2n ** 60n);
    const operations = toOperations({
      op: 'upsert',
      collection: 'items',
      id: 'x',
      position: 2n ** 60n,
      setOnInsert: { createdAt: new Date('2025-01-01T00:00:00Z'), id: 'ignored', count: 10 },
      set: { status: 'Active', gone: undefined, note: '$notAPath' },
      inc: { count: 1 },
    });
    const isNew = { $eq: [{ $type: '$_pos' }, 'missing'] };
    const applies = { $lt: [{ $ifNull: ['$_pos', Long.fromNumber(-1)] }, position] };
    expect(operations).toEqual([
      {
        updateOne: {
          filter: { _id: 'x' },
          update: [
            {
              $set: {
                createdAt: { $cond: [isNew, { $literal: '2025-01-01T00:00:00.000Z' }, '$createdAt'] },
                status: { $cond: [applies, { $literal: 'Active' }, '$status'] },
                note: { $cond: [applies, { $literal: '$notAPath' }, '$note'] },
                count: { $cond: [applies, { $add: [{ $cond: [isNew, { $literal: 10 }, { $ifNull: ['$count', 0] }] }, 1] }, '$count'] },
                _pos: { $cond: [applies, position, '$_pos'] },
              },
            },
          ],
          upsert: true,
        },
      },
    ]);
  });

  it('turns an insert into a create-if-missing and a delete into a guarded delete', () => {
    expect(toOperations({ op: 'insert', collection: 'log', id: 'e1', doc: { n: 1 } })).toEqual([
      { updateOne: { filter: { _id: 'e1' }, update: { $setOnInsert: { n: 1, _pos: Long.fromNumber(-1) } }, upsert: true } },
    ]);
    expect(toOperations({ op: 'delete', collection: 'log', id: 'e1', position: 5n })).toEqual([
      { deleteOne: { filter: { _id: 'e1', _pos: { $lte: Long.fromBigInt(5n) } } } },
    ]);
  });

  it('rejects writes MongoDB would read as paths, operators or internal fields', () => {
    const upsert = (set: Record<string, unknown>): ProjectionWrite => ({ op: 'upsert', collection: 'items', id: 'x', position: 1n, set });
    expect(() => toOperations(upsert({ 'a.b': 1 }))).toThrow();
    expect(() => toOperations(upsert({ $where: 1 }))).toThrow();
    expect(() => toOperations(upsert({ _id: 'y' }))).toThrow();
    expect(() => toOperations(upsert({ _pos: 1 }))).toThrow();
  });

  it('recognises a duplicate-key stop and nothing else', () => {
    expect(duplicateKeyIndex(bulkError([{ code: 11000, index: 3 }]))).toBe(3);
    expect(duplicateKeyIndex(bulkError([{ code: 121, index: 3 }]))).toBeUndefined();
    expect(duplicateKeyIndex(bulkError([]))).toBeUndefined();
    expect(duplicateKeyIndex(bulkError([{ code: 11000, index: 3 }], { code: 64, errmsg: 'waiting for replication timed out' }))).toBeUndefined();
    expect(duplicateKeyIndex(Object.assign(new Error('E11000'), { code: 11000 }))).toBeUndefined();
  });

  describe('applyBatch against a stub driver', () => {
    let bulkCalls: Array<{ collection: string; operations: AnyBulkWriteOperation<StoredDoc>[]; ordered?: boolean }>;
    let checkpointWrites: Document[];
    let failures: Error[];

    function stubStore(): MongoReadStore {
      const collection = (name: string) => ({
        // No generations recorded: the live generation is 0, the collections' own names.
        findOne: async () => null,
        bulkWrite: async (operations: AnyBulkWriteOperation<StoredDoc>[], options: { ordered?: boolean }) => {
          bulkCalls.push({ collection: name, operations, ordered: options.ordered });
          const failure = failures.shift();
          if (failure) throw failure;
          return {};
        },
        updateOne: async (filter: Document, update: Document) => {
          checkpointWrites.push({ collection: name, filter, update });
          return {};
        },
      });
      const client = { db: () => ({ collection }) } as unknown as MongoClient;
      return new MongoReadStore(client, 'stub');
    }

    beforeEach(() => {
      bulkCalls = [];
      checkpointWrites = [];
      failures = [];
    });

    const batch: ProjectionWrite[] = [
      { op: 'upsert', collection: 'items', id: 'x', position: 1n, set: { a: 1 } },
      { op: 'insert', collection: 'log', id: 'e1', doc: { n: 1 } },
      { op: 'delete', collection: 'items', id: 'y', position: 2n },
    ];

    it('writes one ordered bulk per collection, then the checkpoint with $max, for its generation only', async () => {
      await stubStore().applyBatch('p', batch, 2n);
      expect(bulkCalls.map((call) => [call.collection, call.operations.length, call.ordered])).toEqual([
        ['items', 2, true],
        ['log', 1, true],
      ]);
      expect(checkpointWrites).toEqual([
        {
          collection: 'projection_checkpoints',
          filter: { _id: 'p', generation: { $in: [0, null] } },
          update: { $max: { position: Long.fromBigInt(2n) }, $set: { generation: 0 } },
        },
      ]);
    });

    it('resumes an ordered bulk at the operation that hit a duplicate key', async () => {
      failures.push(bulkError([{ code: 11000, index: 1 }]));
      await stubStore().applyBatch('p', [batch[0], { op: 'upsert', collection: 'items', id: 'z', position: 1n, set: { a: 2 } }], 1n);
      expect(bulkCalls.map((call) => call.operations.length)).toEqual([2, 1]);
      expect(bulkCalls[1].operations[0]).toBe(bulkCalls[0].operations[1]);
      expect(checkpointWrites).toHaveLength(1);
    });

    it('throws any other error without writing the checkpoint', async () => {
      failures.push(bulkError([{ code: 14, index: 1 }]));
      await expect(stubStore().applyBatch('p', batch, 2n)).rejects.toThrow('write failed');
      expect(checkpointWrites).toEqual([]);
    });

    it('gives up after repeated duplicate keys', async () => {
      for (let i = 0; i < 10; i += 1) failures.push(bulkError([{ code: 11000, index: 0 }]));
      await expect(stubStore().applyBatch('p', batch.slice(0, 1), 1n)).rejects.toThrow('write failed');
      expect(checkpointWrites).toEqual([]);
    });

    it('writes nothing when a write is invalid', async () => {
      const invalid: ProjectionWrite = { op: 'upsert', collection: 'items', id: 'z', position: 3n, set: { n: 1 }, inc: { n: 1 } };
      await expect(stubStore().applyBatch('p', [...batch, invalid], 3n)).rejects.toThrow(/both set and incremented/);
      expect(bulkCalls).toEqual([]);
    });
  });

  it('finds by prefix with an index range ($gte/$lt), never a regex, combined with where and the cursor', async () => {
    const calls: Array<{ filter: Document; options: Document }> = [];
    const collection = (name: string) => ({
      find: (filter: Document, options: Document) => {
        // The map of generations: none recorded, so every collection reads under its own name.
        if (name === 'projection_generations') return { toArray: async () => [] };
        calls.push({ filter, options });
        return { toArray: async () => [{ _id: 't1', term: 'sao' }] };
      },
    });
    const store = new MongoReadStore({ db: () => ({ collection }) } as unknown as MongoClient, 'stub');
    const found = await store.find('terms', { where: { org: 'o1', kind: 'client' }, prefix: { field: 'term', value: 'sã' }, afterId: 'a', limit: 5 });
    expect(found).toEqual([{ id: 't1', term: 'sao' }]);
    await store.find('terms', { where: {}, prefix: { field: 'term', value: 'z\u{10ffff}' }, limit: 5 });
    await store.find('terms', { where: {}, prefix: { field: 'term', value: '\u{10ffff}' }, limit: 5 });
    expect(calls.map((call) => call.filter)).toEqual([
      { org: 'o1', kind: 'client', term: { $gte: 'sã', $lt: 'sä' }, _id: { $gt: 'a' } },
      { term: { $gte: 'z\u{10ffff}', $lt: '{' } },
      { term: { $gte: '\u{10ffff}' } },
    ]);
    expect(calls[0].options).toEqual({ projection: { _pos: 0 }, sort: { _id: 1 }, limit: 5 });
  });

  it('takes the database name from the URL path', () => {
    expect(mongoDatabaseName('mongodb://localhost:27017')).toBe('client_portal');
    expect(mongoDatabaseName('mongodb://localhost:27017/')).toBe('client_portal');
    expect(mongoDatabaseName('mongodb://localhost:27017/?replicaSet=rs0')).toBe('client_portal');
    expect(mongoDatabaseName('mongodb://user:p%40ss@a:27017,b:27017/portal?replicaSet=rs0')).toBe('portal');
    expect(mongoDatabaseName('mongodb+srv://cluster.example.net/read_models?retryWrites=true')).toBe('read_models');
  });
});

describeWithContainers('MongoReadStore on MongoDB 7 (testcontainers)', () => {
  let container: StartedMongoDBContainer | undefined;
  let client: MongoClient;
  let connectionString = '';
  let databases = 0;
  let lastDatabase = '';

  beforeAll(async () => {
    container = await new MongoDBContainer('mongo:7').start();
    // The single-node replica set announces the container's own host name: connect directly.
    connectionString = container.getConnectionString();
    client = await MongoClient.connect(`${connectionString}/?directConnection=true`);
  }, 300_000);

  afterAll(async () => {
    await client?.close();
    await container?.stop();
  }, 60_000);

  function nextDatabase(): string {
    lastDatabase = `read_store_${process.pid}_${(databases += 1)}`;
    return lastDatabase;
  }

  readStoreContract('MongoReadStore', async () => new MongoReadStore(client, nextDatabase()), {
    reopen: async () => new MongoReadStore(client, lastDatabase),
  });

  // Several projectors: each connection with a client of its own, as separate instances have.
  runnerScenarios('MongoReadStore (MongoDB 7)', () => {
    const database = nextDatabase();
    return {
      open: async () => new MongoReadStore(`${connectionString}/?directConnection=true`, database),
      fresh: async () => new MongoReadStore(client, nextDatabase()),
    };
  });

  describe('generations on MongoDB', () => {
    const P = { name: 'p', collections: [{ name: 'items', indexes: [['org']] }] };

    it('keeps a replaced generation for readers still on the old map, and drops it after the grace period', async () => {
      const database = nextDatabase();
      const writer = new MongoReadStore(client, database, { retiredGraceMs: 60_000 });
      const reader = new MongoReadStore(client, database, { mappingTtlMs: 60_000 });
      try {
        await writer.ensureProjections([P]);
        await writer.applyBatch('p', [{ op: 'upsert', collection: 'items', id: 'old', position: 1n, set: { org: 'o1' } }], 1n);
        expect(await reader.find('items', { where: { org: 'o1' }, limit: 10 })).toEqual([{ id: 'old', org: 'o1' }]);
        const generation = await writer.startGeneration(P);
        await writer.applyBatches([{ projection: 'p', writes: [{ op: 'upsert', collection: 'items', id: 'new', position: 1n, set: { org: 'o1' } }], checkpoint: 1n, generation }]);
        await writer.promoteGeneration(P, generation);
        expect(await writer.find('items', { where: { org: 'o1' }, limit: 10 })).toEqual([{ id: 'new', org: 'o1' }]);
        // A reader on the old map still finds the old collection whole...
        await writer.dropRetiredGenerations(P);
        expect(await reader.find('items', { where: { org: 'o1' }, limit: 10 })).toEqual([{ id: 'old', org: 'o1' }]);
        // ...and moves to the new one as soon as a checkpoint shows it (read-your-writes reads them first).
        await reader.getCheckpoint('p');
        expect(await reader.find('items', { where: { org: 'o1' }, limit: 10 })).toEqual([{ id: 'new', org: 'o1' }]);
        const eager = new MongoReadStore(client, database, { retiredGraceMs: 0 });
        await eager.dropRetiredGenerations(P);
        const names = (await client.db(database).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
        expect(names).toEqual(['items__g1', 'projection_checkpoints', 'projection_generations']);
        expect((await client.db(database).collection('projection_generations').findOne({ _id: 'p' as never }))?.retired).toEqual([]);
      } finally {
        await writer.close();
        await reader.close();
      }
    });

    it('refuses a deposed holder’s batch in its transaction, so none of its writes lands', async () => {
      const database = nextDatabase();
      const store = new MongoReadStore(client, database);
      try {
        await store.ensureProjections([P]);
        const deposed = (await store.acquireLease('p', 'a', 60_000))!;
        await store.acquireLease('p', 'b', 60_000, { evict: { holder: 'a', epoch: deposed.epoch } });
        const writes: ProjectionWrite[] = Array.from({ length: 200 }, (_, i) => ({ op: 'upsert', collection: 'items', id: `d${i}`, position: 5n, set: { org: 'o1' } }));
        await expect(store.applyBatches([{ projection: 'p', writes, checkpoint: 5n, lease: deposed }])).rejects.toThrow(/held by another runner/);
        expect(await client.db(database).collection('items').countDocuments()).toBe(0);
        expect(await store.getCheckpoint('p')).toBeUndefined();
      } finally {
        await store.close();
      }
    });
  });

  describe('specific to MongoDB', () => {
    let store: MongoReadStore;
    let database: string;
    const items = { name: 'items', indexes: [['org'], ['org', 'status']] };

    beforeEach(async () => {
      database = nextDatabase();
      store = new MongoReadStore(client, database);
      await store.ensureCollections([items]);
    });

    afterEach(async () => {
      await store.close();
    });

    it('keys documents by _id and stores the position guard as int64', async () => {
      await store.applyBatch(
        'p',
        [
          { op: 'upsert', collection: 'items', id: 'x', position: 7n, set: { org: 'o1' } },
          { op: 'insert', collection: 'items', id: 'y', doc: { org: 'o1' } },
        ],
        7n,
      );
      const raw = client.db(database).collection<StoredDoc>('items');
      const x = await raw.findOne({ _id: 'x' }, { promoteLongs: false });
      const y = await raw.findOne({ _id: 'y' }, { promoteLongs: false });
      expect(x).toEqual({ _id: 'x', _pos: Long.fromBigInt(7n), org: 'o1' });
      expect(y?._pos).toEqual(Long.fromNumber(-1));
      const checkpoint = await client.db(database).collection('projection_checkpoints').findOne({ _id: 'p' as never }, { promoteLongs: false });
      expect(checkpoint?.position).toEqual(Long.fromBigInt(7n));
    });

    it('stores values that look like expressions or field paths as they are', async () => {
      await store.applyBatch('p', [{ op: 'upsert', collection: 'items', id: 'x', position: 1n, setOnInsert: { a: '$org' }, set: { org: 'o1', c: '$$REMOVE', d: { n: '$org' } } }], 1n);
      expect(await store.get('items', 'x')).toStrictEqual({ id: 'x', a: '$org', org: 'o1', c: '$$REMOVE', d: { n: '$org' } });
    });

    it('never shows a reader a document created but not yet written', async () => {
      const raw = client.db(database).collection<StoredDoc>('items');
      const writes: ProjectionWrite[] = [];
      for (let i = 0; i < 2_000; i += 1) {
        writes.push({ op: 'upsert', collection: 'items', id: `n${String(i).padStart(4, '0')}`, position: BigInt(i + 1), set: { org: 'o1', status: 'Invited' } });
      }
      let writing = true;
      const seen: Document[] = [];
      const reader = (async () => {
        while (writing) seen.push(...(await raw.find({}, { promoteLongs: false }).toArray()));
      })();
      await store.applyBatch('p', writes, 2_000n);
      writing = false;
      await reader;
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((doc) => doc.status !== 'Invited' || Long.fromValue(doc._pos).lessThan(0))).toEqual([]);
    });

    it('creates the declared indexes ending with _id, and find uses them without sorting', async () => {
      await store.ensureCollections([items]);
      const keys = (await client.db(database).collection('items').indexes()).map((index) => index.key);
      expect(keys).toEqual(expect.arrayContaining([{ org: 1, _id: 1 }, { org: 1, status: 1, _id: 1 }]));

      const explained = await client
        .db(database)
        .collection<StoredDoc>('items')
        .find({ org: 'o1', status: 'Active', _id: { $gt: 'a' } }, { sort: { _id: 1 }, limit: 10, projection: { _pos: 0 } })
        .explain('queryPlanner');
      const plan = JSON.stringify(explained.queryPlanner.winningPlan);
      expect(plan).toContain('org_1_status_1__id_1');
      expect(plan).not.toContain('"SORT"');
    });

    it('keeps the indexes through a reset', async () => {
      await store.applyBatch('p', [{ op: 'upsert', collection: 'items', id: 'x', position: 1n, set: { org: 'o1' } }], 1n);
      await store.reset('p', ['items']);
      expect(await client.db(database).collection('items').countDocuments()).toBe(0);
      const keys = (await client.db(database).collection('items').indexes()).map((index) => index.key);
      expect(keys).toEqual(expect.arrayContaining([{ org: 1, _id: 1 }, { org: 1, status: 1, _id: 1 }]));
    });

    it('applies a batch exactly once in effect when two writers replay it at the same time', async () => {
      const other = new MongoReadStore(client, database);
      const writes: ProjectionWrite[] = [];
      for (let i = 0; i < 500; i += 1) {
        const id = `d${String(i % 100).padStart(3, '0')}`;
        writes.push({ op: 'upsert', collection: 'items', id, position: BigInt(i + 1), setOnInsert: { first: i }, set: { org: 'o1', last: i }, inc: { count: 1 } });
        writes.push({ op: 'insert', collection: 'items', id: `e${i}`, doc: { org: 'o2' } });
      }
      await Promise.all([store.applyBatch('p', writes, 500n), other.applyBatch('p', writes, 500n), store.applyBatch('p', writes, 500n)]);
      const d007 = await store.get('items', 'd007');
      expect(d007).toStrictEqual({ id: 'd007', first: 7, org: 'o1', last: 407, count: 5 });
      expect(await store.find('items', { where: { org: 'o2' }, limit: 1_000 })).toHaveLength(500);
      expect(await store.getCheckpoint('p')).toBe(500n);
    });

    it('is what createReadStore makes for a MongoDB URL, in the database the URL names', async () => {
      const created = await createReadStore({ mongoUrl: `${connectionString}/factory_db?directConnection=true`, dataDir: '/nonexistent' });
      try {
        expect(created).toBeInstanceOf(MongoReadStore);
        await created.ensureCollections([items]);
        await created.applyBatch('factory', [{ op: 'insert', collection: 'items', id: 'f', doc: { org: 'o1' } }], 3n);
      } finally {
        await created.close();
      }
      expect(await client.db('factory_db').collection('items').countDocuments({ _id: 'f' as never })).toBe(1);
    });
  });
});
