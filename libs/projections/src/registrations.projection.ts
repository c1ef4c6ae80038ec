import type { RegistrationEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { ProjectionWrite } from './read-store';
import { Projection } from './projection';

export const REGISTRATIONS_COLLECTION = 'registrations_v1';

/**
 * Self-registration requests as staff review them: one document per request (who asked, for
 * which portal and company, its status, and once approved the client company and contact made
 * for it). Per-document upserts guarded by position: each event applies once in effect. The
 * commands never read this: the `registration-<id>` streams decide.
 */
export const registrationsProjection: Projection = {
  name: 'registrations_v1',
  eventTypes: ['RegistrationRequested', 'RegistrationClientAssigned', 'RegistrationContactAssigned', 'RegistrationApproved', 'RegistrationRejected'] satisfies RegistrationEvent['type'][],
  collections: [{ name: REGISTRATIONS_COLLECTION, indexes: [['organizationId', 'portalId', 'status']] }],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const at = event.metadata.occurredAt;
    const upsert = (set: Record<string, unknown>, setOnInsert?: Record<string, unknown>): ProjectionWrite => ({
      op: 'upsert',
      collection: REGISTRATIONS_COLLECTION,
      id: data.registrationId,
      position: event.position,
      ...(setOnInsert ? { setOnInsert } : {}),
      set: { ...set, updatedAt: at },
    });

    switch (event.type) {
      case 'RegistrationRequested':
        return [
          upsert(
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
          ),
        ];
      case 'RegistrationClientAssigned':
        return [upsert({ clientId: data.clientId })];
      case 'RegistrationContactAssigned':
        return [upsert({ contactId: data.contactId })];
      case 'RegistrationApproved':
        return [
          upsert({
            status: 'Approved',
            clientId: data.clientId,
            contactId: data.contactId,
            userTypeId: data.userTypeId ?? null,
            decidedAt: data.decidedAt,
          }),
        ];
      case 'RegistrationRejected':
        return [upsert({ status: 'Rejected', reason: data.reason ?? null, decidedAt: data.decidedAt })];
      default:
        return [];
    }
  },
};
