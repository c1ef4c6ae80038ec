import type { PortalAccessEvent, PortalAccessStatus } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '../projection';
import { ProjectionWrite, ReadStore, Scalar } from '../read-store';
import { LocalCalendar } from './calendar';
import { byKeys, instantInRange, Report, ReportQuery, scanRows, ScanBudget } from './report-query';

export const REPORT_PORTAL_ACCESS_COLLECTION = 'report_portal_access_v1';

/**
 * Portal access by status: one row per access (one contact in one portal) with where it stands
 * now, counted per portal and company when the report is asked. A row's fields are overwritten
 * by each event (guarded by its position), so a replay or a rebuild gives the same rows.
 */
export const portalAccessReportProjection: Projection = {
  name: 'report_portal_access_v1',
  eventTypes: [
    'ContactInvited',
    'InvitationAccepted',
    'PortalAccessDisabled',
    'PortalAccessEnabled',
    'PortalAccessRevoked',
    'PortalAccessCompaniesChanged',
  ] satisfies PortalAccessEvent['type'][],
  collections: [
    {
      name: REPORT_PORTAL_ACCESS_COLLECTION,
      indexes: [['organizationId'], ['organizationId', 'portalId'], ['organizationId', 'clientId'], ['organizationId', 'portalId', 'clientId']],
    },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const upsert = (set: Record<string, unknown>, setOnInsert?: Record<string, unknown>): ProjectionWrite[] => [
      { op: 'upsert', collection: REPORT_PORTAL_ACCESS_COLLECTION, id: data.accessId, position: event.position, set, ...(setOnInsert ? { setOnInsert } : {}) },
    ];
    switch (event.type) {
      case 'ContactInvited': {
        const clientIds: string[] = data.clientIds ?? [data.clientId];
        return upsert(
          { organizationId: event.metadata.organizationId, portalId: data.portalId, clientId: clientIds[0], clientIds, status: 'Invited' },
          // The access's first invitation: a contact invited again after a revocation keeps it.
          { invitedAt: data.sentAt },
        );
      }
      case 'InvitationAccepted':
        return upsert({ status: 'Active' });
      case 'PortalAccessDisabled':
        return upsert({ status: 'Disabled' });
      case 'PortalAccessEnabled':
        return upsert({ status: data.status });
      case 'PortalAccessRevoked':
        return upsert({ status: 'Revoked' });
      case 'PortalAccessCompaniesChanged':
        return upsert({ clientId: data.clientIds[0], clientIds: data.clientIds });
      default:
        return [];
    }
  },
};

export interface PortalAccessCounts {
  invited: number;
  active: number;
  disabled: number;
  revoked: number;
  total: number;
}

export interface PortalAccessReportItem extends PortalAccessCounts {
  portalId: string;
  /** The access's company: its contact's primary company (the first it acts for). */
  clientId: string;
}

export const PORTAL_ACCESS_REPORT_COLUMNS: (keyof PortalAccessReportItem)[] = ['portalId', 'clientId', 'invited', 'active', 'disabled', 'revoked', 'total'];

const COUNT_FIELD: Record<PortalAccessStatus, keyof Omit<PortalAccessCounts, 'total'>> = {
  Invited: 'invited',
  Active: 'active',
  Disabled: 'disabled',
  Revoked: 'revoked',
};

const noCounts = (): PortalAccessCounts => ({ invited: 0, active: 0, disabled: 0, revoked: 0, total: 0 });

/**
 * Access counts by status per portal and company (the contact's primary company), and totals.
 * `from`/`to` keep the accesses first invited within those local dates.
 */
export async function portalAccessReport(readStore: ReadStore, query: ReportQuery, budget = new ScanBudget()): Promise<Report<PortalAccessReportItem, PortalAccessCounts>> {
  const calendar = new LocalCalendar(query.timeZone);
  const where: Record<string, Scalar> = { organizationId: query.organizationId };
  if (query.portalId) where.portalId = query.portalId;
  if (query.clientId) where.clientId = query.clientId;

  const groups = new Map<string, PortalAccessReportItem>();
  const totals = noCounts();
  for await (const row of scanRows(readStore, REPORT_PORTAL_ACCESS_COLLECTION, where, budget)) {
    if (!instantInRange(row.invitedAt as string, calendar, query)) continue;
    const field = COUNT_FIELD[row.status as PortalAccessStatus];
    if (!field) continue;
    const key = `${row.portalId}|${row.clientId}`;
    let item = groups.get(key);
    if (!item) groups.set(key, (item = { portalId: row.portalId as string, clientId: row.clientId as string, ...noCounts() }));
    item[field] += 1;
    item.total += 1;
    totals[field] += 1;
    totals.total += 1;
  }
  const items = [...groups.values()].sort(byKeys((i) => i.portalId, (i) => i.clientId));
  return { items, totals };
}

/**
 * The companies (primary and associated) of the accesses to a portal: how reports about
 * documents, which belong to companies and not to portals, are narrowed to a portal.
 */
export async function companiesOfPortal(readStore: ReadStore, organizationId: string, portalId: string, budget: ScanBudget): Promise<Set<string>> {
  const companies = new Set<string>();
  for await (const row of scanRows(readStore, REPORT_PORTAL_ACCESS_COLLECTION, { organizationId, portalId }, budget)) {
    for (const clientId of (row.clientIds as string[] | undefined) ?? [row.clientId as string]) companies.add(clientId);
  }
  return companies;
}
