import type { PortalAccessStatus } from '@app/domain';
import { collection, ProjectionWrite } from './read-store';
import { projectionOf, RowFields, SomeRowFields, unhandled, upsert } from './projection';

/** One contact's access to one portal, as `portal_access_v1` holds it (docs/read-models.md). */
export interface PortalAccessRow {
  /** The access id (derived from portal and contact). */
  id: string;
  organizationId: string;
  accessId: string;
  portalId: string;
  contactId: string;
  /** The first company the access acts for (the contact's primary, as last recorded). */
  clientId: string;
  /** Every company the access acts for, primary first, as last recorded. */
  clientIds: string[];
  /** The username; null once the contact was erased. */
  email: string | null;
  userTypeId: string | null;
  language: string | null;
  status: PortalAccessStatus;
  invitedAt: string;
  lastInvitedAt: string;
  invitationExpiresAt: string | null;
  invitationCount: number;
  acceptedAt: string | null;
  enabledAt: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
  passwordChangedAt: string | null;
  /** The revision of the access's stream last applied. */
  revision: number;
  updatedAt: string;
  /** True once its contact was erased; absent before. */
  erased?: boolean;
}

export const PORTAL_ACCESS_COLLECTION = collection<PortalAccessRow>('portal_access_v1');

/** One document per contact per portal: where its access stands, and when it got there. */
export const portalStatusProjection = projectionOf({
  name: 'portal_status_v1',
  eventTypes: [
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
  ],
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

  project(event) {
    const at = event.metadata.occurredAt;
    const position = event.position;
    const access = (accessId: string, set: SomeRowFields<PortalAccessRow>, extra: { setOnInsert?: Partial<RowFields<PortalAccessRow>>; invited?: true } = {}): ProjectionWrite[] => [
      upsert(PORTAL_ACCESS_COLLECTION, accessId, position, {
        setOnInsert: extra.setOnInsert,
        set: { ...set, updatedAt: at, revision: Number(event.streamRevision) },
        inc: extra.invited ? { invitationCount: 1 } : undefined,
      }),
    ];

    switch (event.type) {
      case 'ContactErased':
        // The person was forgotten: its username leaves the read model; the accesses were revoked first.
        return (event.data.accessIds ?? []).map((accessId) => upsert(PORTAL_ACCESS_COLLECTION, accessId, position, { set: { email: null, erased: true, updatedAt: at } }));
      case 'ContactInvited': {
        const data = event.data;
        return access(
          data.accessId,
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
          { setOnInsert: { invitedAt: data.sentAt, enabledAt: null, passwordChangedAt: null }, invited: true },
        );
      }
      case 'InvitationResent':
        return access(event.data.accessId, { lastInvitedAt: event.data.sentAt, invitationExpiresAt: event.data.expiresAt }, { invited: true });
      case 'InvitationAccepted':
        return access(event.data.accessId, { status: 'Active', acceptedAt: at, invitationExpiresAt: null });
      case 'PortalAccessDisabled':
        return access(event.data.accessId, { status: 'Disabled', disabledAt: at, disabledReason: event.data.reason ?? null });
      case 'PortalAccessRevoked':
        return access(event.data.accessId, { status: 'Revoked', revokedAt: at, revokedReason: event.data.reason ?? null, invitationExpiresAt: null });
      case 'PortalPasswordChanged':
        return access(event.data.accessId, { passwordChangedAt: at });
      case 'PortalUserTypeChanged':
        return access(event.data.accessId, { userTypeId: event.data.userTypeId });
      case 'PortalAccessCompaniesChanged':
        return access(event.data.accessId, { clientId: event.data.clientIds[0], clientIds: event.data.clientIds });
      case 'PortalUsernameChanged':
        return access(event.data.accessId, { email: event.data.email });
      case 'PortalAccessEnabled': {
        const data = event.data;
        // Back to Invited: a fresh invitation was sent (its times are always set then).
        return data.status === 'Invited'
          ? access(data.accessId, { status: 'Invited', enabledAt: at, lastInvitedAt: data.sentAt ?? at, invitationExpiresAt: data.expiresAt }, { invited: true })
          : access(data.accessId, { status: 'Active', enabledAt: at });
      }
      default:
        return unhandled(event);
    }
  },
});
