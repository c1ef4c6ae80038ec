import { Projection } from '../projection';
import { approvalsReportProjection } from './approvals.report';
import { documentsReportProjection } from './documents.report';
import { invitationsReportProjection } from './invitations.report';
import { invoicesReportProjection } from './invoices.report';
import { portalAccessReportProjection } from './portal-access.report';

export * from './calendar';
export * from './statistics';
export * from './report-query';
export * from './portal-access.report';
export * from './invitations.report';
export * from './approvals.report';
export * from './documents.report';
export * from './invoices.report';

/** The reports' projections: each report reads only its own collection (and, to narrow by portal, the portal-access one). */
export const REPORT_PROJECTIONS: Projection[] = [
  portalAccessReportProjection,
  invitationsReportProjection,
  approvalsReportProjection,
  documentsReportProjection,
  invoicesReportProjection,
];
