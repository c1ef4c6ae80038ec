import type { ApiKeyEvent } from './api-key';
import type { AuditExportEvent } from './audit';
import type { ClientCompanyEvent } from './client-company';
import type { DocumentCommentsEvent, DocumentViewsEvent, NotificationEvent } from './collaboration';
import type { ContactEvent } from './contact';
import type { DocumentMovedToClientEvent } from './documents';
import type { InvoiceEvent } from './invoice';
import type { OrganizationEvent } from './organization';
import type { OrganizationPortalsEvent, PortalEvent, PortalSeatsEvent, PortalSlugEvent } from './portal';
import type { PortalAccessEvent } from './portal-access';
import type { ClientUserRateEvent, ProjectEvent } from './project';
import type { QuoteEvent } from './quote';
import type { RegistrationEvent } from './registration';
import type { ShiftEvent } from './shift';
import type { TimesheetEvent } from './timesheet';

/**
 * Every event the domain writes, as one union: what a reader of the whole log (a projection)
 * narrows by type. A new event union is added here, or no projection can declare its types.
 */
export type KnownEvent =
  | ApiKeyEvent
  | AuditExportEvent
  | ClientCompanyEvent
  | ClientUserRateEvent
  | ContactEvent
  | DocumentCommentsEvent
  | DocumentMovedToClientEvent
  | DocumentViewsEvent
  | InvoiceEvent
  | NotificationEvent
  | OrganizationEvent
  | OrganizationPortalsEvent
  | PortalAccessEvent
  | PortalEvent
  | PortalSeatsEvent
  | PortalSlugEvent
  | ProjectEvent
  | QuoteEvent
  | RegistrationEvent
  | ShiftEvent
  | TimesheetEvent;

export type KnownEventType = KnownEvent['type'];

/** The events of the given types (a type written by two deciders: both shapes). */
export type EventOfType<T extends KnownEventType> = Extract<KnownEvent, { type: T }>;
