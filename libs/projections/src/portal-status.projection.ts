import type { ContactEvent, PortalAccessEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { ProjectionWrite } from './read-store';
import { Projection } from './projection';

export const PORTAL_ACCESS_COLLECTION = 'portal_access_v1';

const PORTAL_ACCESS_EVENT_TYPES = [
  'ContactInvited',
  'InvitationResent',
  'InvitationAccepted',
  'PortalAccessDisabled',
  'PortalAccessRevoked',
  'PortalPasswordChanged',
  'PortalUserTypeChanged',
  'PortalAccessCompaniesChanged',
  'PortalUsernameChanged',
  'PortalAccessEnabled',
  'ContactErased',
] satisfies (PortalAccessEvent['type'] | ContactEvent['type'])[];

/** One document per contact per portal: where its access stands, and when it got there. */
export const portalStatusProjection: Projection = {
  name: 'portal_status_v1',
  eventTypes: PORTAL_ACCESS_EVENT_TYPES,
  collections: [
    {
      name: PORTAL_ACCESS_COLLECTION,
      indexes: [
        ['organizationId'],
        ['organizationId', 'clientId'],
        ['organizationId', 'status'],
        ['organizationId', 'clientId', 'status'],
        ['organizationId', 'portalId'],
        ['organizationId', 'portalId', 'clientId'],
        ['organizationId', 'portalId', 'status'],
        ['organizationId', 'portalId', 'clientId', 'status'],
        ['organizationId', 'contactId'],
        ['email'],
      ],
    },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const at = event.metadata.occurredAt;
    const upsert = (set: Record<string, unknown>, extra: Partial<Extract<ProjectionWrite, { op: 'upsert' }>> = {}): ProjectionWrite[] => [
      {
        op: 'upsert',
        collection: PORTAL_ACCESS_COLLECTION,
        id: data.accessId,
        position: event.position,
        ...extra,
        set: { ...set, updatedAt: at, revision: Number(event.streamRevision) },
      },
    ];

    switch (event.type) {
      case 'ContactErased':
        // The person was forgotten: its username leaves the read model; the accesses were revoked first.
        return ((data.accessIds ?? []) as string[]).map(
          (accessId): ProjectionWrite => ({ op: 'upsert', collection: PORTAL_ACCESS_COLLECTION, id: accessId, position: event.position, set: { email: null, erased: true, updatedAt: at } }),
        );
      case 'ContactInvited':
        return upsert(
          {
            organizationId: event.metadata.organizationId,
            accessId: data.accessId,
            portalId: data.portalId,
            contactId: data.contactId,
            clientId: data.clientId,
            clientIds: data.clientIds ?? [data.clientId],
            email: data.email,
            userTypeId: data.userTypeId ?? null,
            language: data.language ?? null,
            status: 'Invited',
            lastInvitedAt: data.sentAt,
            invitationExpiresAt: data.expiresAt,
            // A contact invited again after a revocation starts a new cycle.
            acceptedAt: null,
            disabledAt: null,
            disabledReason: null,
            revokedAt: null,
            revokedReason: null,
          },
          {
            setOnInsert: { invitedAt: data.sentAt, enabledAt: null, passwordChangedAt: null },
            inc: { invitationCount: 1 },
          },
        );
      case 'InvitationResent':
        return upsert({ lastInvitedAt: data.sentAt, invitationExpiresAt: data.expiresAt }, { inc: { invitationCount: 1 } });
      case 'InvitationAccepted':
        return upsert({ status: 'Active', acceptedAt: at, invitationExpiresAt: null });
      case 'PortalAccessDisabled':
        return upsert({ status: 'Disabled', disabledAt: at, disabledReason: data.reason ?? null });
      case 'PortalAccessRevoked':
        return upsert({ status: 'Revoked', revokedAt: at, revokedReason: data.reason ?? null, invitationExpiresAt: null });
      case 'PortalPasswordChanged':
        return upsert({ passwordChangedAt: at });
      case 'PortalUserTypeChanged':
        return upsert({ userTypeId: data.userTypeId });
      case 'PortalAccessCompaniesChanged':
        return upsert({ clientId: data.clientIds[0], clientIds: data.clientIds });
      case 'PortalUsernameChanged':
        return upsert({ email: data.email });
      case 'PortalAccessEnabled':
        return data.status === 'Invited'
          ? upsert(
              { status: 'Invited', enabledAt: at, lastInvitedAt: data.sentAt, invitationExpiresAt: data.expiresAt },
              { inc: { invitationCount: 1 } },
            )
          : upsert({ status: 'Active', enabledAt: at });
      default:
        return [];
    }
  },
};
