import { CollectionSpec, Doc, LeaseLostError, ProjectionSpec, ProjectionWrite, ReadStore, StaleGenerationError } from '../read-store';

export interface ReadStoreContractOptions {
  /**
   * For durable adapters: opens a second store on the storage of the store `create` returned
   * last (which the suite has closed), to check what survives a restart.
   */
  reopen?: () => Promise<ReadStore>;
}

const ACCESSES = 'accesses';
const AUDIT = 'audit';
const NOTES = 'notes';
const NAMES = 'names';
const SPECS: CollectionSpec[] = [
  { name: ACCESSES, indexes: [['org'], ['org', 'status']] },
  { name: AUDIT, indexes: [['org']] },
  { name: NOTES, indexes: [] },
  // A prefix search's index: the equality fields, then the prefix field.
  { name: NAMES, indexes: [['name'], ['org', 'name']] },
];

type Upsert = Extract<ProjectionWrite, { op: 'upsert' }>;

function upsert(id: string, position: bigint, parts: Partial<Omit<Upsert, 'op' | 'id' | 'position'>>): ProjectionWrite {
  return { op: 'upsert', collection: ACCESSES, id, position, ...parts };
}

function insert(id: string, doc: Record<string, unknown>, collection = AUDIT): ProjectionWrite {
  return { op: 'insert', collection, id, doc };
}

function remove(id: string, position: bigint, collection = ACCESSES): ProjectionWrite {
  return { op: 'delete', collection, id, position };
}

/**
 * The behaviour every ReadStore adapter must show. `create` opens a fresh, empty store; the
 * suite ensures the collections it uses and closes every store it opens.
 */
export function readStoreContract(name: string, create: () => Promise<ReadStore>, options: ReadStoreContractOptions = {}): void {
  describe(`${name} (read-store contract)`, () => {
    let store: ReadStore;
    const opened: ReadStore[] = [];

    async function open(factory: () => Promise<ReadStore>): Promise<ReadStore> {
      const created = await factory();
      opened.push(created);
      return created;
    }

    beforeEach(async () => {
      store = await open(create);
      await store.ensureCollections(SPECS);
    });

    afterEach(async () => {
      for (const created of opened.splice(0)) await created.close();
    });

    describe('collections', () => {
      it('ensureCollections is idempotent and keeps the documents', async () => {
        await store.applyBatch('p', [insert('a', { org: 'o1' })], 1n);
        await store.ensureCollections(SPECS);
        await store.ensureCollections([...SPECS, { name: ACCESSES, indexes: [['org'], ['org', 'status'], ['status']] }]);
        expect(await store.get(AUDIT, 'a')).toEqual({ id: 'a', org: 'o1' });
      });

      it('rejects collection names that are not lower-case identifiers', async () => {
        await expect(store.ensureCollections([{ name: 'Bad-Name', indexes: [] }])).rejects.toThrow();
        await expect(store.applyBatch('p', [insert('a', {}, 'bad name')], 1n)).rejects.toThrow();
        expect(await store.getCheckpoint('p')).toBeUndefined();
      });

      it('rejects index and filter fields that are not plain names or are internal', async () => {
        await expect(store.ensureCollections([{ name: ACCESSES, indexes: [['a.b']] }])).rejects.toThrow();
        await expect(store.ensureCollections([{ name: ACCESSES, indexes: [["x') --"]] }])).rejects.toThrow();
        await expect(store.find(ACCESSES, { where: { _id: 'x' }, limit: 1 })).rejects.toThrow();
        await expect(store.find(ACCESSES, { where: { _pos: 1 }, limit: 1 })).rejects.toThrow();
      });
    });

    describe('upsert', () => {
      it('creates the document with setOnInsert, set and inc', async () => {
        await store.applyBatch(
          'p',
          [upsert('x', 5n, { setOnInsert: { createdAt: 't1', status: 'new' }, set: { org: 'o1', status: 'Invited' }, inc: { count: 1 } })],
          5n,
        );
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', createdAt: 't1', org: 'o1', status: 'Invited', count: 1 });
      });

      it('applies set and inc at a higher position and leaves setOnInsert fields alone', async () => {
        await store.applyBatch('p', [upsert('x', 5n, { setOnInsert: { createdAt: 't1' }, set: { status: 'Invited' }, inc: { count: 1 } })], 5n);
        await store.applyBatch(
          'p',
          [upsert('x', 7n, { setOnInsert: { createdAt: 't2', extra: true }, set: { status: 'Active' }, inc: { count: 2, other: -1.5 } })],
          7n,
        );
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', createdAt: 't1', status: 'Active', count: 3, other: -1.5 });
      });

      it('skips an upsert at the same or a lower position entirely, inc included', async () => {
        await store.applyBatch('p', [upsert('x', 5n, { set: { status: 'Invited' }, inc: { count: 1 } })], 5n);
        await store.applyBatch('p', [upsert('x', 5n, { set: { status: 'Same' }, inc: { count: 10 } })], 5n);
        await store.applyBatch('p', [upsert('x', 4n, { set: { status: 'Older', added: 1 }, inc: { count: 100 } })], 5n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', status: 'Invited', count: 1 });
      });

      it('changes nothing when the same batch is applied twice', async () => {
        const batch: ProjectionWrite[] = [
          upsert('x', 1n, { setOnInsert: { createdAt: 't1' }, set: { org: 'o1', status: 'Invited' }, inc: { count: 1 } }),
          upsert('y', 2n, { set: { org: 'o1', status: 'Invited' }, inc: { count: 1 } }),
          upsert('x', 3n, { set: { status: 'Active' }, inc: { count: 1 } }),
          insert('e1', { org: 'o1', n: 1 }),
          upsert('z', 4n, { set: { org: 'o2' } }),
          remove('z', 5n),
        ];
        await store.applyBatch('p', batch, 5n);
        const once = await snapshot(store);
        await store.applyBatch('p', batch, 5n);
        expect(await snapshot(store)).toStrictEqual(once);
        expect(once[ACCESSES]).toStrictEqual([
          { id: 'x', createdAt: 't1', org: 'o1', status: 'Active', count: 2 },
          { id: 'y', org: 'o1', status: 'Invited', count: 1 },
        ]);
        expect(once[AUDIT]).toStrictEqual([{ id: 'e1', org: 'o1', n: 1 }]);
      });

      it('increments a missing field from 0 and a field set on insert by the same upsert', async () => {
        await store.applyBatch('p', [upsert('x', 1n, { setOnInsert: { a: 10 }, inc: { a: 1, b: 2 } })], 1n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', a: 11, b: 2 });
      });

      it('treats undefined values as not written, and the id is always the write id', async () => {
        await store.applyBatch('p', [upsert('x', 1n, { set: { a: 1, b: 'keep' } })], 1n);
        await store.applyBatch('p', [upsert('x', 2n, { set: { a: 2, b: undefined, id: 'other' } })], 2n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', a: 2, b: 'keep' });
      });

      it('rejects a batch with a write it cannot apply, and does not move the checkpoint', async () => {
        await store.applyBatch('p', [upsert('x', 1n, { set: { status: 'text' } })], 1n);
        await expect(store.applyBatch('p', [upsert('x', 2n, { inc: { status: 1 } })], 2n)).rejects.toThrow();
        await expect(store.applyBatch('p', [upsert('y', 2n, { set: { n: 1 }, inc: { n: 1 } })], 2n)).rejects.toThrow();
        await expect(store.applyBatch('p', [upsert('y', -1n, { set: { n: 1 } })], 2n)).rejects.toThrow();
        await expect(store.applyBatch('p', [upsert('y', 2n, { set: { _pos: 1 } })], 2n)).rejects.toThrow();
        expect(await store.getCheckpoint('p')).toBe(1n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', status: 'text' });
      });
    });

    describe('insert', () => {
      it('inserts once and ignores a duplicate id, in later batches and within one batch', async () => {
        await store.applyBatch('p', [insert('e1', { n: 1 }), insert('e1', { n: 2 }), insert('e2', { n: 3 })], 2n);
        await store.applyBatch('p', [insert('e1', { n: 4 }), insert('e3', { n: 5 })], 3n);
        expect(await all(store, AUDIT)).toStrictEqual([
          { id: 'e1', n: 1 },
          { id: 'e2', n: 3 },
          { id: 'e3', n: 5 },
        ]);
        expect(await store.getCheckpoint('p')).toBe(3n);
      });

      it('lets a later upsert of the same id apply', async () => {
        await store.applyBatch('p', [insert('x', { org: 'o1', count: 1 }, ACCESSES)], 1n);
        await store.applyBatch('p', [upsert('x', 2n, { setOnInsert: { ignored: true }, set: { status: 'Active' }, inc: { count: 1 } })], 2n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', org: 'o1', status: 'Active', count: 2 });
      });
    });

    describe('delete', () => {
      it('deletes a document written at the same or an earlier position only', async () => {
        await store.applyBatch('p', [upsert('x', 10n, { set: { a: 1 } }), upsert('y', 10n, { set: { a: 1 } }), upsert('z', 10n, { set: { a: 1 } })], 10n);
        await store.applyBatch('p', [remove('x', 9n), remove('y', 10n), remove('z', 11n), remove('missing', 11n)], 11n);
        expect((await all(store, ACCESSES)).map((doc) => doc.id)).toEqual(['x']);
      });

      it('applies upsert, delete and re-create of one document in batch order', async () => {
        await store.applyBatch('p', [upsert('x', 1n, { set: { a: 1 } }), remove('x', 2n), upsert('x', 3n, { setOnInsert: { again: true }, set: { a: 3 } })], 3n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', again: true, a: 3 });
        await store.applyBatch('p', [upsert('y', 4n, { set: { a: 1 } }), remove('y', 5n)], 5n);
        expect(await store.get(ACCESSES, 'y')).toBeNull();
      });

      it('deletes an inserted document', async () => {
        await store.applyBatch('p', [insert('e1', { n: 1 }), remove('e1', 1n, AUDIT)], 1n);
        expect(await store.get(AUDIT, 'e1')).toBeNull();
      });
    });

    describe('checkpoints', () => {
      it('is undefined before the first batch', async () => {
        expect(await store.getCheckpoint('never-ran')).toBeUndefined();
      });

      it('is recorded by applyBatch as a bigint, for an empty batch too', async () => {
        await store.applyBatch('p', [], 42n);
        const checkpoint = await store.getCheckpoint('p');
        expect(typeof checkpoint).toBe('bigint');
        expect(checkpoint).toBe(42n);
        await store.applyBatch('p', [upsert('x', 43n, { set: { a: 1 } })], 43n);
        expect(await store.getCheckpoint('p')).toBe(43n);
      });

      it('never moves back', async () => {
        await store.applyBatch('p', [], 10n);
        await store.applyBatch('p', [], 3n);
        expect(await store.getCheckpoint('p')).toBe(10n);
      });

      it('keeps positions beyond 2^53 exact', async () => {
        const big = 2n ** 60n + 1n;
        await store.applyBatch('p', [upsert('x', big, { set: { a: 1 } })], big);
        await store.applyBatch('p', [upsert('x', big - 1n, { set: { a: 2 } })], big);
        expect(await store.getCheckpoint('p')).toBe(big);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', a: 1 });
        await store.applyBatch('p', [upsert('x', big + 1n, { set: { a: 3 } })], big + 1n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', a: 3 });
      });

      it("keeps two projections' checkpoints apart", async () => {
        await store.applyBatch('one', [], 5n);
        await store.applyBatch('two', [], 9n);
        expect(await store.getCheckpoint('one')).toBe(5n);
        expect(await store.getCheckpoint('two')).toBe(9n);
        await store.reset('one', []);
        expect(await store.getCheckpoint('one')).toBeUndefined();
        expect(await store.getCheckpoint('two')).toBe(9n);
      });

      if (options.reopen) {
        const reopen = options.reopen;
        it('survives a reopen, with the documents', async () => {
          await store.applyBatch('p', [upsert('x', 7n, { set: { a: 1 } })], 7n);
          await store.close();
          const again = await open(reopen);
          expect(await again.getCheckpoint('p')).toBe(7n);
          expect(await again.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', a: 1 });
          // The position guard survives too.
          await again.applyBatch('p', [upsert('x', 7n, { set: { a: 2 } })], 7n);
          expect(await again.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', a: 1 });
        });
      }
    });

    describe('get', () => {
      it('returns null for a missing document', async () => {
        expect(await store.get(ACCESSES, 'nope')).toBeNull();
      });

      it('returns exactly the id and fields, without internal fields', async () => {
        await store.applyBatch('p', [upsert('x', 3n, { setOnInsert: { a: 1 }, set: { b: 'two' }, inc: { c: 3 } }), insert('e', { d: 4 })], 3n);
        const doc = await store.get(ACCESSES, 'x');
        expect(doc).toStrictEqual({ id: 'x', a: 1, b: 'two', c: 3 });
        expect(Object.keys(doc ?? {}).sort()).toEqual(['a', 'b', 'c', 'id']);
        expect(await store.get(AUDIT, 'e')).toStrictEqual({ id: 'e', d: 4 });
      });

      it('round-trips unicode, nested objects, arrays, nulls and numbers', async () => {
        const value = {
          name: 'Zoë Ærøskøbing 東京 مرحبا 🎉👩‍💻',
          empty: '',
          control: 'tab\tnewline\nquote" backslash\\ nul\u0000',
          nested: { deeper: { list: [1, 'two', null, { three: 3 }, [4]] }, flag: false },
          emptyObject: {},
          emptyList: [],
          nothing: null,
          numbers: [0, -1, 1.5, -2.25e-10, 2 ** 31, 2 ** 53 - 1, 1e300],
          bool: true,
        };
        await store.applyBatch('p', [upsert('ü-ñ-🎉', 1n, { set: value }), insert('e', value, AUDIT)], 1n);
        expect(await store.get(ACCESSES, 'ü-ñ-🎉')).toStrictEqual({ id: 'ü-ñ-🎉', ...value });
        expect(await store.get(AUDIT, 'e')).toStrictEqual({ id: 'e', ...value });
      });

      it('overwrites a field with null and keeps it', async () => {
        await store.applyBatch('p', [upsert('x', 1n, { set: { a: 1, b: { c: 2 } } })], 1n);
        await store.applyBatch('p', [upsert('x', 2n, { set: { a: null, b: { d: 3 } } })], 2n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', a: null, b: { d: 3 } });
      });
    });

    describe('find', () => {
      beforeEach(async () => {
        const rows: Array<[string, string, string]> = [
          ['a3', 'o1', 'Active'],
          ['a1', 'o1', 'Invited'],
          ['b2', 'o2', 'Active'],
          ['a2', 'o1', 'Active'],
          ['c1', 'o1', 'Disabled'],
          ['b1', 'o1', 'Active'],
        ];
        await store.applyBatch(
          'p',
          rows.map(([id, org, status], index) => upsert(id, BigInt(index + 1), { set: { org, status } })),
          6n,
        );
      });

      const ids = (docs: Doc[]): string[] => docs.map((doc) => doc.id);

      it('filters on one field, ordered by id', async () => {
        expect(ids(await store.find(ACCESSES, { where: { org: 'o1' }, limit: 100 }))).toEqual(['a1', 'a2', 'a3', 'b1', 'c1']);
      });

      it('filters on two fields, ordered by id', async () => {
        expect(ids(await store.find(ACCESSES, { where: { org: 'o1', status: 'Active' }, limit: 100 }))).toEqual(['a2', 'a3', 'b1']);
        expect(await store.find(ACCESSES, { where: { org: 'o2', status: 'Invited' }, limit: 100 })).toEqual([]);
      });

      it('returns whole documents without internal fields', async () => {
        expect(await store.find(ACCESSES, { where: { org: 'o2' }, limit: 10 })).toStrictEqual([{ id: 'b2', org: 'o2', status: 'Active' }]);
      });

      it('pages with an exclusive afterId cursor and a limit', async () => {
        const where = { org: 'o1' };
        expect(ids(await store.find(ACCESSES, { where, limit: 2 }))).toEqual(['a1', 'a2']);
        expect(ids(await store.find(ACCESSES, { where, afterId: 'a2', limit: 2 }))).toEqual(['a3', 'b1']);
        expect(ids(await store.find(ACCESSES, { where, afterId: 'b1', limit: 2 }))).toEqual(['c1']);
        expect(ids(await store.find(ACCESSES, { where, afterId: 'c1', limit: 2 }))).toEqual([]);
        // A cursor need not be an existing id.
        expect(ids(await store.find(ACCESSES, { where, afterId: 'a25', limit: 10 }))).toEqual(['a3', 'b1', 'c1']);
        // Backwards: newest first, before an id.
        expect(ids(await store.find(ACCESSES, { where, descending: true, limit: 2 }))).toEqual(['c1', 'b1']);
        expect(ids(await store.find(ACCESSES, { where, beforeId: 'b1', descending: true, limit: 2 }))).toEqual(['a3', 'a2']);
        expect(ids(await store.find(ACCESSES, { where, afterId: 'a2', beforeId: 'c1', limit: 10 }))).toEqual(['a3', 'b1']);
      });

      it('finds everything with an empty where, and nothing with limit 0', async () => {
        expect(ids(await store.find(ACCESSES, { where: {}, limit: 100 }))).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
        expect(await store.find(ACCESSES, { where: {}, limit: 0 })).toEqual([]);
      });

      it('matches values by type: true is not 1, "1" is not 1, and null matches null or missing', async () => {
        await store.applyBatch(
          'q',
          [
            upsert('t', 10n, { set: { org: 'typed', status: true } }),
            upsert('n', 11n, { set: { org: 'typed', status: 1 } }),
            upsert('s', 12n, { set: { org: 'typed', status: '1' } }),
            upsert('z', 13n, { set: { org: 'typed', status: null } }),
            upsert('m', 14n, { set: { org: 'typed' } }),
          ],
          14n,
        );
        const find = async (status: string | number | boolean | null) => ids(await store.find(ACCESSES, { where: { org: 'typed', status }, limit: 10 }));
        expect(await find(true)).toEqual(['t']);
        expect(await find(1)).toEqual(['n']);
        expect(await find('1')).toEqual(['s']);
        expect(await find(null)).toEqual(['m', 'z']);
        expect(await find(false)).toEqual([]);
      });
    });

    describe('find with a prefix', () => {
      // [id, org, name]: accents, kana, kanji, characters beyond the BMP, and non-strings.
      const rows: Array<[string, string, unknown]> = [
        ['n01', 'o1', 'são paulo'],
        ['n02', 'o1', 'são'],
        ['n03', 'o1', 'sao'],
        ['n04', 'o1', 'saúde'],
        ['n05', 'o1', 'sa'],
        ['n06', 'o1', 'sb'],
        ['n07', 'o1', '山田 太郎'],
        ['n08', 'o1', '山田'],
        ['n09', 'o1', '山'],
        ['n10', 'o1', 'やまだ'],
        ['n11', 'o1', 'ヤマダ'],
        ['n12', 'o1', 's😀'],
        ['n13', 'o1', 's\uffff'],
        ['n14', 'o1', 's\u{10ffff}z'],
        ['n15', 'o1', 't'],
        ['n16', 'o1', 42],
        ['n17', 'o1', null],
        ['n18', 'o1', { name: 'sao' }],
        ['n19', 'o1', 'S'],
        ['n20', 'o2', 'são paulo'],
        ['n21', 'o2', 'sao'],
        ['n22', 'o1', ''],
      ];

      beforeEach(async () => {
        await store.applyBatch(
          'p',
          rows.map(([id, org, name], index) => ({ op: 'upsert', collection: NAMES, id, position: BigInt(index + 1), set: { org, name } })),
          BigInt(rows.length),
        );
        // A document without the field at all.
        await store.applyBatch('p', [{ op: 'upsert', collection: NAMES, id: 'n23', position: 100n, set: { org: 'o1' } }], 100n);
      });

      const ids = (docs: Doc[]): string[] => docs.map((doc) => doc.id);
      const find = async (value: string, where: Record<string, string> = { org: 'o1' }, afterId?: string, limit = 100) =>
        ids(await store.find(NAMES, { where, prefix: { field: 'name', value }, afterId, limit }));

      it('matches strings that start with the value, accents and scripts exactly, ordered by id', async () => {
        expect(await find('são')).toEqual(['n01', 'n02']);
        expect(await find('sa')).toEqual(['n03', 'n04', 'n05']);
        expect(await find('山田')).toEqual(['n07', 'n08']);
        expect(await find('山')).toEqual(['n07', 'n08', 'n09']);
        expect(await find('やま')).toEqual(['n10']);
        expect(await find('ヤマ')).toEqual(['n11']);
        // Case-sensitive: normalize before storing and before searching.
        expect(await find('S')).toEqual(['n19']);
      });

      it('matches a value equal to the whole prefix', async () => {
        expect(await find('são paulo')).toEqual(['n01']);
        expect(await find('sa')).toContain('n05');
        expect(await find('t')).toEqual(['n15']);
        expect(await find('山')).toContain('n09');
      });

      it('keeps characters beyond the BMP and at the top of the code space inside the range', async () => {
        expect(await find('s')).toEqual(['n01', 'n02', 'n03', 'n04', 'n05', 'n06', 'n12', 'n13', 'n14']);
        expect(await find('s😀')).toEqual(['n12']);
        expect(await find('s\uffff')).toEqual(['n13']);
        expect(await find('s\u{10ffff}')).toEqual(['n14']);
        expect(await find('s\u{10ffff}z')).toEqual(['n14']);
      });

      it('finds nothing when nothing starts with the value', async () => {
        expect(await find('zzz')).toEqual([]);
        expect(await find('são paulo!')).toEqual([]);
        expect(await find('やまだ たろう')).toEqual([]);
        expect(await find('4')).toEqual([]);
      });

      it('never matches numbers, null, objects or a missing field; an empty prefix matches every string', async () => {
        expect(await find('')).toEqual(rows.filter(([, org, name]) => org === 'o1' && typeof name === 'string').map(([id]) => id));
        expect(await find('', {})).toHaveLength(rows.filter(([, , name]) => typeof name === 'string').length);
      });

      it('combines with where equalities', async () => {
        expect(await find('sao', { org: 'o2' })).toEqual(['n21']);
        expect(await find('são', { org: 'o2' })).toEqual(['n20']);
        expect(await find('são', { org: 'o3' })).toEqual([]);
        expect(await find('sao', {})).toEqual(['n03', 'n21']);
      });

      it('pages with an exclusive afterId cursor and a limit', async () => {
        expect(await find('s', { org: 'o1' }, undefined, 4)).toEqual(['n01', 'n02', 'n03', 'n04']);
        expect(await find('s', { org: 'o1' }, 'n04', 4)).toEqual(['n05', 'n06', 'n12', 'n13']);
        expect(await find('s', { org: 'o1' }, 'n13', 4)).toEqual(['n14']);
        expect(await find('s', { org: 'o1' }, 'n14', 4)).toEqual([]);
        expect(await find('s', { org: 'o1' }, 'n055', 2)).toEqual(['n06', 'n12']);
        expect(await find('s', { org: 'o1' }, undefined, 0)).toEqual([]);
      });

      it('sees a document leave and enter the range as its field changes', async () => {
        await store.applyBatch('p', [{ op: 'upsert', collection: NAMES, id: 'n01', position: 200n, set: { name: 'paulo' } }], 200n);
        expect(await find('são')).toEqual(['n02']);
        expect(await find('pa')).toEqual(['n01']);
      });

      it('rejects a prefix on an invalid field, a non-string value, or a field also in where', async () => {
        await expect(store.find(NAMES, { where: {}, prefix: { field: "x') --", value: 'a' }, limit: 1 })).rejects.toThrow();
        await expect(store.find(NAMES, { where: {}, prefix: { field: '_id', value: 'a' }, limit: 1 })).rejects.toThrow();
        await expect(store.find(NAMES, { where: {}, prefix: { field: 'name', value: 1 as unknown as string }, limit: 1 })).rejects.toThrow();
        await expect(store.find(NAMES, { where: { name: 'sao' }, prefix: { field: 'name', value: 's' }, limit: 1 })).rejects.toThrow();
      });
    });

    describe('reset', () => {
      it("empties the named collections and drops the projection's checkpoint only", async () => {
        await store.applyBatch('p', [upsert('x', 1n, { set: { org: 'o1' } }), insert('e', { org: 'o1' })], 1n);
        await store.applyBatch('other', [insert('n', { a: 1 }, NOTES)], 4n);
        await store.reset('p', [ACCESSES, AUDIT, 'never_created']);
        expect(await store.getCheckpoint('p')).toBeUndefined();
        expect(await all(store, ACCESSES)).toEqual([]);
        expect(await all(store, AUDIT)).toEqual([]);
        expect(await store.get(NOTES, 'n')).toStrictEqual({ id: 'n', a: 1 });
        expect(await store.getCheckpoint('other')).toBe(4n);
      });

      it('allows a rebuild from zero afterwards', async () => {
        await store.applyBatch('p', [upsert('x', 5n, { set: { org: 'o1' }, inc: { count: 1 } })], 5n);
        await store.reset('p', [ACCESSES]);
        await store.ensureCollections(SPECS);
        await store.applyBatch('p', [upsert('x', 5n, { set: { org: 'o1' }, inc: { count: 1 } })], 5n);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', org: 'o1', count: 1 });
        expect(await store.find(ACCESSES, { where: { org: 'o1' }, limit: 10 })).toHaveLength(1);
        expect(await store.getCheckpoint('p')).toBe(5n);
      });
    });

    describe('generations', () => {
      const P: ProjectionSpec = { name: 'p', collections: [SPECS[0], SPECS[1]] };

      beforeEach(async () => {
        await store.ensureProjections([P]);
      });

      it('starts at generation 0, under the collections’ own names', async () => {
        expect(await store.generations('p')).toEqual({ live: 0, building: null, rebuildRequested: false });
        expect(await store.generations('never-seen')).toEqual({ live: 0, building: null, rebuildRequested: false });
        await store.applyBatches([{ projection: 'p', writes: [upsert('x', 1n, { set: { org: 'o1' } })], checkpoint: 1n, generation: 0 }]);
        expect(await store.get(ACCESSES, 'x')).toStrictEqual({ id: 'x', org: 'o1' });
      });

      it('builds the next generation beside the live one; queries read the live one until the switch, then the new one', async () => {
        await store.applyBatch('p', [upsert('x', 1n, { set: { org: 'o1', status: 'Invited' } }), upsert('y', 2n, { set: { org: 'o1', status: 'Old' } })], 2n);
        const generation = await store.startGeneration(P);
        expect(generation).toBe(1);
        expect(await store.generations('p')).toEqual({ live: 0, building: { generation: 1, checkpoint: undefined }, rebuildRequested: false });

        // The new generation fills up; queries, the checkpoint and live batches stay on the live one.
        await store.applyBatches([{ projection: 'p', writes: [upsert('x', 1n, { set: { org: 'o1', status: 'Invited' } })], checkpoint: 1n, generation }]);
        expect(await all(store, ACCESSES)).toEqual([
          { id: 'x', org: 'o1', status: 'Invited' },
          { id: 'y', org: 'o1', status: 'Old' },
        ]);
        await store.applyBatches([
          { projection: 'p', writes: [upsert('x', 3n, { set: { status: 'Active' } })], checkpoint: 3n },
          { projection: 'p', writes: [upsert('x', 3n, { set: { status: 'Active' } })], checkpoint: 3n, generation },
        ]);
        expect(await store.getCheckpoint('p')).toBe(3n);
        expect((await store.generations('p')).building).toEqual({ generation, checkpoint: 3n });
        expect(await store.find(ACCESSES, { where: { org: 'o1', status: 'Active' }, limit: 10 })).toEqual([{ id: 'x', org: 'o1', status: 'Active' }]);

        await store.promoteGeneration(P, generation);
        expect(await store.generations('p')).toEqual({ live: generation, building: null, rebuildRequested: false });
        expect(await store.getCheckpoint('p')).toBe(3n);
        expect(await all(store, ACCESSES)).toEqual([{ id: 'x', org: 'o1', status: 'Active' }]);
        expect(await store.find(ACCESSES, { where: { org: 'o1' }, limit: 10 })).toEqual([{ id: 'x', org: 'o1', status: 'Active' }]);
        expect(await store.get(ACCESSES, 'y')).toBeNull();
        // Live batches now write the new generation.
        await store.applyBatch('p', [upsert('z', 4n, { set: { org: 'o1' } })], 4n);
        expect(await store.get(ACCESSES, 'z')).toStrictEqual({ id: 'z', org: 'o1' });
        expect(await store.getCheckpoint('p')).toBe(4n);
      });

      it('refuses a batch for a generation that is neither live nor being built, writing nothing', async () => {
        const generation = await store.startGeneration(P);
        await store.applyBatches([{ projection: 'p', writes: [], checkpoint: 5n, generation }]);
        await store.promoteGeneration(P, generation);
        await expect(store.applyBatches([{ projection: 'p', writes: [upsert('late', 6n, { set: { org: 'o1' } })], checkpoint: 6n, generation: 0 }])).rejects.toBeInstanceOf(
          StaleGenerationError,
        );
        await expect(store.applyBatches([{ projection: 'p', writes: [], checkpoint: 6n, generation: 7 }])).rejects.toBeInstanceOf(StaleGenerationError);
        expect(await store.get(ACCESSES, 'late')).toBeNull();
        expect(await store.getCheckpoint('p')).toBe(5n);
      });

      it('keeps a rebuild’s checkpoint its own: the live generation’s batches never move it, nor it theirs', async () => {
        await store.applyBatch('p', [], 100n);
        const generation = await store.startGeneration(P);
        await store.applyBatches([{ projection: 'p', writes: [], checkpoint: 10n, generation }]);
        await store.applyBatch('p', [], 120n);
        expect((await store.generations('p')).building?.checkpoint).toBe(10n);
        expect(await store.getCheckpoint('p')).toBe(120n);
        await store.applyBatches([{ projection: 'p', writes: [], checkpoint: 9n, generation }]);
        expect((await store.generations('p')).building?.checkpoint).toBe(10n);
      });

      it('abandons a generation still being built when another is started; numbers are never reused', async () => {
        const first = await store.startGeneration(P);
        await store.applyBatches([{ projection: 'p', writes: [upsert('x', 1n, { set: { org: 'o1' } })], checkpoint: 1n, generation: first }]);
        const second = await store.startGeneration(P);
        expect(second).toBeGreaterThan(first);
        await expect(store.promoteGeneration(P, first)).rejects.toBeInstanceOf(StaleGenerationError);
        await expect(store.applyBatches([{ projection: 'p', writes: [], checkpoint: 2n, generation: first }])).rejects.toBeInstanceOf(StaleGenerationError);
        expect((await store.generations('p')).building).toEqual({ generation: second, checkpoint: undefined });
        await store.promoteGeneration(P, second);
        expect(await all(store, ACCESSES)).toEqual([]);
        expect(await store.getCheckpoint('p')).toBeUndefined();
        expect(await store.startGeneration(P)).toBeGreaterThan(second);
      });

      it('records a rebuild request until a new generation is started', async () => {
        await store.requestRebuild('p');
        expect((await store.generations('p')).rebuildRequested).toBe(true);
        await store.startGeneration(P);
        expect((await store.generations('p')).rebuildRequested).toBe(false);
      });

      it('creates the live and the building generation’s collections again after a restart', async () => {
        const generation = await store.startGeneration(P);
        await store.applyBatches([{ projection: 'p', writes: [upsert('x', 1n, { set: { org: 'o1' } })], checkpoint: 1n, generation }]);
        await store.promoteGeneration(P, generation);
        await store.ensureProjections([P]);
        await store.ensureCollections(SPECS);
        await store.dropRetiredGenerations(P);
        expect(await store.find(ACCESSES, { where: { org: 'o1' }, limit: 10 })).toEqual([{ id: 'x', org: 'o1' }]);
        await store.reset('p', [ACCESSES]);
        expect(await all(store, ACCESSES)).toEqual([]);
      });
    });

    describe('leases', () => {
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      it('has one holder at a time: renewed at the same epoch, taken over at the next once expired', async () => {
        const a = await store.acquireLease('p', 'runner-a', 150);
        expect(a).toMatchObject({ projection: 'p', holder: 'runner-a', epoch: expect.any(Number) });
        expect(await store.acquireLease('p', 'runner-b', 150)).toBeNull();
        const renewed = await store.acquireLease('p', 'runner-a', 150);
        expect(renewed?.epoch).toBe(a!.epoch);
        expect(renewed!.expiresAt).toBeGreaterThanOrEqual(a!.expiresAt);
        await pause(250);
        const b = await store.acquireLease('p', 'runner-b', 10_000);
        expect(b?.epoch).toBe(a!.epoch + 1);
        expect(await store.acquireLease('p', 'runner-a', 10_000)).toBeNull();
        expect(await store.acquireLease('other', 'runner-a', 10_000)).not.toBeNull();
      });

      it('is free at once when released, and can be evicted from a named holder at its epoch only', async () => {
        const a = (await store.acquireLease('p', 'runner-a', 10_000))!;
        await store.releaseLease(a);
        const b = (await store.acquireLease('p', 'runner-b', 10_000))!;
        expect(b.epoch).toBe(a.epoch + 1);
        await store.releaseLease(a); // no longer a's: changes nothing
        expect(await store.acquireLease('p', 'runner-c', 10_000, { evict: { holder: 'runner-b', epoch: b.epoch - 1 } })).toBeNull();
        expect(await store.acquireLease('p', 'runner-c', 10_000, { evict: { holder: 'runner-a', epoch: b.epoch } })).toBeNull();
        const c = await store.acquireLease('p', 'runner-c', 10_000, { evict: { holder: 'runner-b', epoch: b.epoch } });
        expect(c?.epoch).toBe(b.epoch + 1);
      });

      it('fences writes: a deposed holder’s batch, new generation and switch are refused and change nothing', async () => {
        const P: ProjectionSpec = { name: 'p', collections: [SPECS[0]] };
        await store.ensureProjections([P]);
        const a = (await store.acquireLease('p', 'runner-a', 10_000))!;
        await store.applyBatches([{ projection: 'p', writes: [upsert('x', 1n, { set: { org: 'o1' } })], checkpoint: 1n, lease: a }]);
        const building = await store.startGeneration(P, a);
        const b = (await store.acquireLease('p', 'runner-b', 10_000, { evict: { holder: 'runner-a', epoch: a.epoch } }))!;

        await expect(
          store.applyBatches([{ projection: 'p', writes: [remove('x', 5n), upsert('late', 5n, { set: { org: 'o1' } })], checkpoint: 5n, lease: a }]),
        ).rejects.toBeInstanceOf(LeaseLostError);
        await expect(store.startGeneration(P, a)).rejects.toBeInstanceOf(LeaseLostError);
        await expect(store.promoteGeneration(P, building, a)).rejects.toBeInstanceOf(LeaseLostError);
        expect(await all(store, ACCESSES)).toEqual([{ id: 'x', org: 'o1' }]);
        expect(await store.getCheckpoint('p')).toBe(1n);
        expect(await store.generations('p')).toEqual({ live: 0, building: { generation: building, checkpoint: undefined }, rebuildRequested: false });

        await store.applyBatches([{ projection: 'p', writes: [remove('x', 5n)], checkpoint: 5n, lease: b }]);
        expect(await all(store, ACCESSES)).toEqual([]);
        // A lease names its projection: it fences no other.
        await expect(store.applyBatches([{ projection: 'other', writes: [], checkpoint: 1n, lease: b }])).rejects.toBeInstanceOf(LeaseLostError);
      });

      it('lists every lease with its holder’s last report, and whether it has expired', async () => {
        await store.acquireLease('p', 'runner-a', 10_000, { report: { state: 'running', position: '12' } });
        const q = (await store.acquireLease('q', 'runner-b', 10_000))!;
        await store.releaseLease(q);
        const leases = await store.leases();
        expect(leases.map(({ projection, holder, expired, report }) => ({ projection, holder, expired, report }))).toEqual([
          { projection: 'p', holder: 'runner-a', expired: false, report: { state: 'running', position: '12' } },
          { projection: 'q', holder: '', expired: true, report: null },
        ]);
      });
    });

    it('applies a large batch of 5,000 writes', async () => {
      const writes: ProjectionWrite[] = [];
      for (let i = 0; i < 2_500; i += 1) {
        const id = `d${String(i).padStart(5, '0')}`;
        const position = BigInt(i + 1);
        writes.push(upsert(id, position, { setOnInsert: { createdAt: i }, set: { org: `o${i % 3}`, status: 'Invited' }, inc: { count: 1 } }));
        writes.push(insert(`e${String(i).padStart(5, '0')}`, { org: `o${i % 3}`, position: i }));
      }
      await store.applyBatch('p', writes, 2_500n);
      expect(await store.getCheckpoint('p')).toBe(2_500n);
      expect(await all(store, ACCESSES)).toHaveLength(2_500);
      expect(await all(store, AUDIT)).toHaveLength(2_500);
      expect(await store.find(ACCESSES, { where: { org: 'o1', status: 'Invited' }, limit: 10_000 })).toHaveLength(833);
      expect(await store.get(ACCESSES, 'd01234')).toStrictEqual({ id: 'd01234', createdAt: 1234, org: 'o1', status: 'Invited', count: 1 });
      // Replayed: exactly once in effect.
      await store.applyBatch('p', writes, 2_500n);
      expect(await store.get(ACCESSES, 'd01234')).toStrictEqual({ id: 'd01234', createdAt: 1234, org: 'o1', status: 'Invited', count: 1 });
    });
  });
}

/** Every document of a collection, paged through with the cursor. */
async function all(store: ReadStore, collection: string): Promise<Doc[]> {
  const docs: Doc[] = [];
  for (;;) {
    const page = await store.find(collection, { where: {}, afterId: docs.at(-1)?.id, limit: 1_000 });
    docs.push(...page);
    if (page.length < 1_000) return docs;
  }
}

async function snapshot(store: ReadStore): Promise<Record<string, Doc[]>> {
  return { [ACCESSES]: await all(store, ACCESSES), [AUDIT]: await all(store, AUDIT), [NOTES]: await all(store, NOTES) };
}
