import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PROJECTIONS } from '../index';
import { SqliteReadStore } from '../read-store/sqlite.read-store';
import { applyEvents, dumpCollections } from '../testing/history';
import { richHistory } from '../testing/rich-history';
import { REPORT_PROJECTIONS } from './index';
import { approvalsReport, documentsReport, invitationsReport, invoicesReport, portalAccessReport } from './index';

/**
 * Reports are projections like the others: replaying any part of the log changes no row, and
 * a rebuild from zero, read in pages of any size, gives the same rows and the same answers.
 */
describe('report projections, replayed and rebuilt', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'reports-rebuild-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const answers = async (readStore: SqliteReadStore) => {
    const out: unknown[] = [];
    for (const organizationId of ['org-rich-1', 'org-rich-2']) {
      const query = { organizationId, timeZone: 'Europe/Berlin', now: new Date('2026-04-15T00:00:00Z') };
      for (const report of [portalAccessReport, invitationsReport, approvalsReport, documentsReport, invoicesReport]) out.push(await report(readStore, query));
    }
    return out;
  };

  it('gives the same rows after a replay and after a rebuild from zero', async () => {
    const events = richHistory();
    const live = new SqliteReadStore(join(dir, 'live.sqlite'));
    try {
      await applyEvents(live, ALL_PROJECTIONS, events, 50);
      const rows = await dumpCollections(live, REPORT_PROJECTIONS);
      const answered = await answers(live);
      expect(Object.values(rows).every((docs) => docs.length > 0)).toBe(true);
      expect(JSON.stringify(answered)).toContain('"accepted":');

      // A crash between a page's writes and its checkpoint: the page, and everything, again.
      await applyEvents(live, ALL_PROJECTIONS, events.slice(0, 97), 13);
      await applyEvents(live, ALL_PROJECTIONS, events, 50);
      expect(await dumpCollections(live, REPORT_PROJECTIONS)).toEqual(rows);

      // A rebuild: emptied, then every event again, in pages of another size.
      for (const projection of REPORT_PROJECTIONS) await live.reset(projection.name, projection.collections.map((c) => c.name));
      expect(Object.values(await dumpCollections(live, REPORT_PROJECTIONS)).flat()).toEqual([]);
      await applyEvents(live, REPORT_PROJECTIONS, events, 7);
      expect(await dumpCollections(live, REPORT_PROJECTIONS)).toEqual(rows);
      expect(await answers(live)).toEqual(answered);
    } finally {
      await live.close();
    }
  });
});
