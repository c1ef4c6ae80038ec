export * from './read-store';
export * from './projection';
export * from './projection-runner';
export * from './leased-task';
export * from './projection-waiter';
export * from './portal-status.projection';
export * from './audit.projection';
export * from './api-keys.projection';
export * from './portals.projection';
export * from './registrations.projection';
export * from './directory.projection';
export * from './directory.queries';
export * from './collaboration.projection';
export * from './client-documents';
export * from './shifts-timesheets.projection';
export * from './quotes-invoices.projection';
export * from './client-documents.projection';
export * from './search-text';
export * from './projects.projection';
export * from './read-store/index';
export * from './reports/index';

import { auditProjection } from './audit.projection';
import { portalStatusProjection } from './portal-status.projection';
import { Projection } from './projection';
import { apiKeysProjection } from './api-keys.projection';
import { portalsProjection } from './portals.projection';
import { directoryProjection } from './directory.projection';
import { registrationsProjection } from './registrations.projection';
import { clientDocumentsProjection } from './client-documents.projection';

/** Every projection the service maintains: the API (embedded) and the projector run these. */
export const ALL_PROJECTIONS: Projection[] = [portalStatusProjection, auditProjection, apiKeysProjection, directoryProjection, portalsProjection, clientDocumentsProjection, registrationsProjection];

import { documentCommentsProjection, documentViewsProjection, notificationsProjection } from './collaboration.projection';
ALL_PROJECTIONS.push(documentCommentsProjection, documentViewsProjection, notificationsProjection);
export * from './worker/projection-thread';

import { projectMembershipsProjection, projectPermissionsProjection } from './projects.projection';
ALL_PROJECTIONS.push(projectMembershipsProjection, projectPermissionsProjection);

import { REPORT_PROJECTIONS } from './reports/index';
ALL_PROJECTIONS.push(...REPORT_PROJECTIONS);
