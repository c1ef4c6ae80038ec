import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '../projection';
import { ReadStore } from '../read-store';
import { SqliteReadStore } from '../read-store/sqlite.read-store';
import { portalAccessReportProjection } from '../reports/portal-access.report';
import { ReportQuery } from '../reports/report-query';
import { applyEvents } from './history';

/**
 * Given/when/then for a report: given stored events, projected by the report's projection (and
 * the portal-access report's, through which reports about documents are narrowed to a portal)
 * into a real SQLite read store, when the report is asked, then its answer.
 */
export function reportSpec<Answer>(projection: Projection, report: (readStore: ReadStore, query: ReportQuery) => Promise<Answer>) {
  const projections = projection === portalAccessReportProjection ? [projection] : [projection, portalAccessReportProjection];
  return {
    given: (events: readonly RecordedEvent[]) => ({
      async when(query: ReportQuery): Promise<Answer> {
        const dir = mkdtempSync(join(tmpdir(), 'report-spec-'));
        const readStore = new SqliteReadStore(join(dir, 'read-models.sqlite'));
        try {
          await applyEvents(readStore, projections, events);
          return await report(readStore, query);
        } finally {
          await readStore.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    }),
  };
}
