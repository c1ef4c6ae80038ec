import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '../projection';
import { Doc, ReadStore } from '../read-store';
import { SqliteReadStore } from '../read-store/sqlite.read-store';
import { applyEvents, dumpCollections } from './history';

export interface ProjectedRows {
  /** Every row of the projections' collections, by collection, in id order. */
  rows: Record<string, Doc[]>;
  /** The store the events were projected into, to query (typed `get`/`find`). */
  readStore: ReadStore;
}

/**
 * Given/then for projections: given stored events, the rows they project into a real SQLite
 * read store. Every `given` also holds the projections to "exactly once in effect": the same
 * events delivered again (a crash before the checkpoint) and a rebuild from them into an empty
 * store, one event per batch, must give the same rows. Declare it inside a `describe`: the
 * stores it opens are closed after each test.
 */
export function projectionSpec(...projections: Projection[]) {
  const opened: { dir: string; store: ReadStore }[] = [];
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'projection-spec-'));
    const store = new SqliteReadStore(join(dir, 'read-models.sqlite'));
    opened.push({ dir, store });
    return store;
  };
  afterEach(async () => {
    for (const { dir, store } of opened.splice(0)) {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  return {
    async given(events: readonly RecordedEvent[]): Promise<ProjectedRows> {
      const readStore = open();
      await applyEvents(readStore, projections, events);
      const rows = await dumpCollections(readStore, projections);
      await applyEvents(readStore, projections, events);
      expect({ replayed: await dumpCollections(readStore, projections) }).toEqual({ replayed: rows });
      const rebuilt = open();
      await applyEvents(rebuilt, projections, events, 1);
      expect({ rebuilt: await dumpCollections(rebuilt, projections) }).toEqual({ rebuilt: rows });
      return { rows, readStore };
    },
  };
}
