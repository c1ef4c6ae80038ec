import type { RegistrationStatus } from '@app/domain';
import { collection, ProjectionWrite } from './read-store';
import { projectionOf, SomeRowFields, unhandled, upsert } from './projection';

/** A self-registration request as staff review it (docs/read-models.md, `registrations_v1`). */
export interface RegistrationRow {
  id: string;
  organizationId: string;
  portalId: string;
  email: string;
  name: string;
  companyName: string;
  requestedAt: string;
  status: RegistrationStatus;
  decidedAt: string | null;
  /** Why it was rejected. */
  reason: string | null;
  /** The company assigned to it (made from it, or an existing one). */
  clientId: string | null;
  /** The contact made for it. */
  contactId: string | null;
  /** The user type given on approval. */
  userTypeId: string | null;
  updatedAt: string;
}

export const REGISTRATIONS_COLLECTION = collection<RegistrationRow>('registrations_v1');

/**
 * Self-registration requests as staff review them: one document per request (who asked, for
 * which portal and company, its status, and once approved the client company and contact made
 * for it). Per-document upserts guarded by position: each event applies once in effect. The
 * commands never read this: the `registration-<id>` streams decide.
 */
export const registrationsProjection = projectionOf({
  name: 'registrations_v1',
  eventTypes: ['RegistrationRequested', 'RegistrationClientAssigned', 'RegistrationContactAssigned', 'RegistrationApproved', 'RegistrationRejected'],
  collections: [{ name: REGISTRATIONS_COLLECTION, indexes: [['organizationId', 'portalId', 'status']] }],

  project(event) {
    const at = event.metadata.occurredAt;
    const request = (set: SomeRowFields<RegistrationRow>, setOnInsert?: SomeRowFields<RegistrationRow>): ProjectionWrite[] => [
      upsert(REGISTRATIONS_COLLECTION, event.data.registrationId, event.position, { setOnInsert, set: { ...set, updatedAt: at } }),
    ];

    switch (event.type) {
      case 'RegistrationRequested': {
        const data = event.data;
        return request(
          {
            organizationId: event.metadata.organizationId,
            portalId: data.portalId,
            email: data.email,
            name: data.name,
            companyName: data.companyName,
            requestedAt: data.requestedAt,
          },
          // Status and decision fields only on creation: a replay after a decision never resets them.
          { status: 'Pending', decidedAt: null, reason: null, clientId: null, contactId: null, userTypeId: null },
        );
      }
      case 'RegistrationClientAssigned':
        return request({ clientId: event.data.clientId });
      case 'RegistrationContactAssigned':
        return request({ contactId: event.data.contactId });
      case 'RegistrationApproved': {
        const data = event.data;
        return request({ status: 'Approved', clientId: data.clientId, contactId: data.contactId, userTypeId: data.userTypeId ?? null, decidedAt: data.decidedAt });
      }
      case 'RegistrationRejected':
        return request({ status: 'Rejected', reason: event.data.reason ?? null, decidedAt: event.data.decidedAt });
      default:
        return unhandled(event);
    }
  },
});
