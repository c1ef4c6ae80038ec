import { Doc, FindQuery, ReadStore } from '@app/projections';
import { findSelectedPage } from './pagination';

/** A read store over one sorted array: enough for paging (where is ignored). */
function storeOf(ids: string[]): ReadStore & { reads: number } {
  const docs: Doc[] = ids.map((id) => ({ id, n: Number(id) }));
  const store = {
    reads: 0,
    async find(_collection: string, query: FindQuery) {
      store.reads += 1;
      return docs.filter((d) => query.afterId === undefined || d.id > query.afterId).slice(0, query.limit);
    },
  };
  return store as unknown as ReadStore & { reads: number };
}

const ids = Array.from({ length: 1000 }, (_, i) => String(i).padStart(4, '0'));
const even = (doc: Doc) => ((doc.n as number) % 2 === 0 ? doc.id : undefined);

describe('findSelectedPage', () => {
  it('pages through the kept rows across batches, each once, and ends with a null cursor', async () => {
    const store = storeOf(ids);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await findSelectedPage(store, 'c', {}, { limit: 70, cursor }, even);
      seen.push(...page.items);
      if (page.nextCursor === null) break;
      expect(page.items).toHaveLength(70);
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(ids.filter((id) => Number(id) % 2 === 0));
  });

  it('answers the last page exactly: no cursor when nothing more is kept', async () => {
    const page = await findSelectedPage(storeOf(ids), 'c', {}, { limit: 500 }, even);
    expect(page.items).toHaveLength(500);
    expect(page.nextCursor).toBeNull();
  });

  it('stops after maxScan rows with a short page whose cursor resumes the scan', async () => {
    const rare = (doc: Doc) => ((doc.n as number) % 300 === 299 ? doc.id : undefined);
    const first = await findSelectedPage(storeOf(ids), 'c', {}, { limit: 10 }, rare, { maxScan: 400 });
    expect(first.items).toEqual(['0299']);
    expect(first.nextCursor).not.toBeNull();
    const second = await findSelectedPage(storeOf(ids), 'c', {}, { limit: 10, cursor: first.nextCursor! }, rare, { maxScan: 400 });
    expect(second.items).toEqual(['0599']);
  });

  it('takes async selections (a join with another read model)', async () => {
    const page = await findSelectedPage(storeOf(ids.slice(0, 10)), 'c', {}, { limit: 3 }, async (doc) => `item ${doc.id}`);
    expect(page.items).toEqual(['item 0000', 'item 0001', 'item 0002']);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe('findSelectedPage over several filters (a portal user of several companies)', () => {
  /** Rows of three companies interleaved by id; `where.clientId` picks one company's rows. */
  function companiesStore(rows: { id: string; clientId: string }[]): ReadStore {
    return {
      async find(_collection: string, query: FindQuery) {
        return rows
          .filter((row) => row.clientId === query.where.clientId && (query.afterId === undefined || row.id > query.afterId))
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .slice(0, query.limit);
      },
    } as unknown as ReadStore;
  }

  it('merges the filters by id, each row once, across batches and pages, skipping none', async () => {
    // Uneven companies: X has most rows, Y few and late, Z a run in the middle.
    const rows = ids.map((id) => {
      const n = Number(id);
      return { id, clientId: n > 900 && n % 7 === 0 ? 'Y' : n >= 300 && n < 420 ? 'Z' : n % 3 === 0 ? 'W' : 'X' };
    });
    const store = companiesStore(rows);
    const wanted = rows.filter((row) => row.clientId !== 'W').map((row) => row.id);
    for (const limit of [1, 7, 199, 250]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await findSelectedPage(store, 'c', [{ clientId: 'X' }, { clientId: 'Y' }, { clientId: 'Z' }], { limit, cursor }, (doc) => doc.id);
        seen.push(...page.items);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(wanted);
    }
  });

  it('answers an empty page for no filter at all (a user of no company sees nothing)', async () => {
    const page = await findSelectedPage(companiesStore([{ id: '1', clientId: 'X' }]), 'c', [], {}, (doc) => doc.id);
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});
