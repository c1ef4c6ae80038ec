import { randomUUID } from 'node:crypto';
import { portalAccessId } from '../../libs/domain/src';
import { apiSpecification, on, onAt, ORGANIZATION_ID, staff } from '../support/api-spec';

/**
 * A portal holds at most MAX_USERS_PER_PORTAL users: one seat per access, taken when it is
 * invited (on the portal's seats stream, before the invitation), given back when it is revoked.
 * A seat whose invitation never followed (the process stopped in between) is freed once the
 * portal is full and the seat is older than SEAT_RESERVATION_SECONDS.
 */
describe('portal seats (API specification)', () => {
  const spec = apiSpecification({ MAX_USERS_PER_PORTAL: '2', SEAT_RESERVATION_SECONDS: '60' });

  /** A portal of the organization, a company, and a contact of it with an email: what an invitation needs. */
  function world() {
    const portalId = randomUUID();
    const clientId = randomUUID();
    const contactId = randomUUID();
    const email = `${contactId}@client.example`;
    return {
      portalId,
      clientId,
      contactId,
      email,
      accessId: portalAccessId(portalId, contactId),
      streams: [
        on(`portal-${portalId}`, {
          type: 'PortalCreated',
          data: { portalId, organizationId: ORGANIZATION_ID, isDefault: false, name: 'Seats', slug: `seats-${portalId.slice(0, 8)}`, selfRegistration: false, defaultLanguage: 'en' },
        }),
        on(`clientCompany-${clientId}`, { type: 'ClientCompanyRegistered', data: { clientId, name: 'Acme', email: null, website: null } }),
        on(`contact-${contactId}`, { type: 'ContactAdded', data: { contactId, clientId, name: 'Ana Souza', email } }),
      ],
    };
  }

  /** A contact of the company whose invitation to the portal went out: its seat is taken for good. */
  function invitedUser(portalId: string, clientId: string) {
    const contactId = randomUUID();
    const accessId = portalAccessId(portalId, contactId);
    const now = Date.now();
    return {
      accessId,
      contactId,
      streams: [
        on(`contact-${contactId}`, { type: 'ContactAdded', data: { contactId, clientId, name: 'Bo Lima', email: `${contactId}@client.example` } }),
        on(`portalSeats-${portalId}`, { type: 'PortalUserSeatTaken', data: { portalId, accessId } }),
        on(`portalAccess-${accessId}`, {
          type: 'ContactInvited',
          data: {
            accessId,
            portalId,
            contactId,
            clientId,
            clientIds: [clientId],
            email: `${contactId}@client.example`,
            invitationId: randomUUID(),
            sentAt: new Date(now).toISOString(),
            expiresAt: new Date(now + 86_400_000).toISOString(),
          },
        }),
      ],
    };
  }

  it('invites into a portal with a free seat: the seat is taken, then the contact invited', async () => {
    const { portalId, clientId, contactId, accessId, email, streams } = world();
    const scenario = await spec.given(...streams, ...invitedUser(portalId, clientId).streams);
    await scenario.when(staff('POST', `/v1/contacts/${contactId}/portal-access/invite`, { portalId })).then({
      status: 200,
      body: { accessId, status: 'Invited', portalId },
      events: [
        { stream: `portalSeats-${portalId}`, type: 'PortalUserSeatTaken', data: { portalId, accessId } },
        { stream: `portalAccess-${accessId}`, type: 'ContactInvited', data: { accessId, portalId, contactId, clientIds: [clientId], email } },
      ],
    });
  });

  it('refuses to invite into a full portal (409 portal-user-limit-reached) and writes nothing', async () => {
    const { portalId, clientId, contactId, streams } = world();
    const scenario = await spec.given(...streams, ...invitedUser(portalId, clientId).streams, ...invitedUser(portalId, clientId).streams);
    await scenario.when(staff('POST', `/v1/contacts/${contactId}/portal-access/invite`, { portalId })).then({
      status: 409,
      problem: 'portal-user-limit-reached',
      events: [],
    });
  });

  it('frees, in a full portal, a seat whose invitation never followed and is older than the reservation, for the next invitation', async () => {
    const { portalId, clientId, contactId, accessId, streams } = world();
    const abandoned = portalAccessId(portalId, randomUUID());
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const scenario = await spec.given(
      ...streams,
      ...invitedUser(portalId, clientId).streams,
      onAt(`portalSeats-${portalId}`, { at: twoHoursAgo }, { type: 'PortalUserSeatTaken', data: { portalId, accessId: abandoned } }),
    );
    await scenario.when(staff('POST', `/v1/contacts/${contactId}/portal-access/invite`, { portalId })).then({
      status: 200,
      events: [
        { stream: `portalSeats-${portalId}`, type: 'PortalUserSeatReleased', data: { portalId, accessId: abandoned } },
        { stream: `portalSeats-${portalId}`, type: 'PortalUserSeatTaken', data: { portalId, accessId } },
        { stream: `portalAccess-${accessId}`, type: 'ContactInvited', data: { accessId } },
      ],
    });
  });

  it('keeps, in a full portal, a recent seat whose invitation has not followed yet (it may still be on its way)', async () => {
    const { portalId, clientId, contactId, streams } = world();
    const pending = portalAccessId(portalId, randomUUID());
    const scenario = await spec.given(
      ...streams,
      ...invitedUser(portalId, clientId).streams,
      on(`portalSeats-${portalId}`, { type: 'PortalUserSeatTaken', data: { portalId, accessId: pending } }),
    );
    await scenario.when(staff('POST', `/v1/contacts/${contactId}/portal-access/invite`, { portalId })).then({
      status: 409,
      problem: 'portal-user-limit-reached',
      events: [],
    });
  });

  it('gives the seat back when an access is revoked', async () => {
    const { portalId, clientId, streams } = world();
    const user = invitedUser(portalId, clientId);
    const scenario = await spec.given(...streams, ...user.streams);
    await scenario.when(staff('POST', `/v1/contacts/${user.contactId}/portal-access/revoke`, { portalId, reason: 'left the company' })).then({
      status: 200,
      events: [
        { stream: `portalAccess-${user.accessId}`, type: 'PortalAccessRevoked', data: { accessId: user.accessId, previousStatus: 'Invited', reason: 'left the company' } },
        { stream: `portalSeats-${portalId}`, type: 'PortalUserSeatReleased', data: { portalId, accessId: user.accessId } },
      ],
    });
  });
});
