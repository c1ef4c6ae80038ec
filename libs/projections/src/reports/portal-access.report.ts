import type { PortalAccessStatus } from '@app/domain';
import { projectionOf, SomeRowFields, unhandled, upsert } from '../projection';
import { collection, ProjectionWrite, ReadStore, Scalar } from '../read-store';
import { LocalCalendar } from './calendar';
import { byKeys, instantInRange, Report, ReportQuery, scanRows, ScanBudget } from './report-query';

/** One access with where it stands (docs/read-models.md, `report_portal_access_v1`). */
export interface PortalAccessReportRow {
  /** The access id. */
  id: string;
  organizationId: string;
  portalId: string;
  /** The access's first company (its contact's primary). */
  clientId: string;
  /** Every company it acts for, primary first. */
  clientIds: string[];
  status: PortalAccessStatus;
  /** When it was first invited. */
  invitedAt: string;
}

export const REPORT_PORTAL_ACCESS_COLLECTION = collection<PortalAccessReportRow>('report_portal_access_v1');

/**
 * Portal access by status: one row per access (one contact in one portal) with where it stands
 * now, counted per portal and company when the report is asked. A row's fields are overwritten
 * by each event (guarded by its position), so a replay or a rebuild gives the same rows.
 */
export const portalAccessReportProjection = projectionOf({
  name: 'report_portal_access_v1',
  eventTypes: ['ContactInvited', 'InvitationAccepted', 'PortalAccessDisabled', 'PortalAccessEnabled', 'PortalAccessRevoked', 'PortalAccessCompaniesChanged'],
  collections: [
    {
      name: REPORT_PORTAL_ACCESS_COLLECTION,
      indexes: [['organizationId'], ['organizationId', 'portalId'], ['organizationId', 'clientId'], ['organizationId', 'portalId', 'clientId']],
    },
  ],

  project(event) {
    const access = (set: SomeRowFields<PortalAccessReportRow>, setOnInsert?: SomeRowFields<PortalAccessReportRow>): ProjectionWrite[] => [
      upsert(REPORT_PORTAL_ACCESS_COLLECTION, event.data.accessId, event.position, { set, setOnInsert }),
    ];
    switch (event.type) {
      case 'ContactInvited': {
        const data = event.data;
        const clientIds = data.clientIds ?? [data.clientId];
        return access(
          { organizationId: event.metadata.organizationId, portalId: data.portalId, clientId: clientIds[0], clientIds, status: 'Invited' },
          // The access's first invitation: a contact invited again after a revocation keeps it.
          { invitedAt: data.sentAt },
        );
      }
      case 'InvitationAccepted':
        return access({ status: 'Active' });
      case 'PortalAccessDisabled':
        return access({ status: 'Disabled' });
      case 'PortalAccessEnabled':
        return access({ status: event.data.status });
      case 'PortalAccessRevoked':
        return access({ status: 'Revoked' });
      case 'PortalAccessCompaniesChanged':
        return access({ clientId: event.data.clientIds[0], clientIds: event.data.clientIds });
      default:
        return unhandled(event);
    }
  },
});

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
    if (!instantInRange(row.invitedAt, calendar, query)) continue;
    const field = COUNT_FIELD[row.status];
    if (!field) continue;
    const key = `${row.portalId}|${row.clientId}`;
    let item = groups.get(key);
    if (!item) groups.set(key, (item = { portalId: row.portalId, clientId: row.clientId, ...noCounts() }));
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
    for (const clientId of row.clientIds ?? [row.clientId]) companies.add(clientId);
  }
  return companies;
}
