import { randomUUID } from 'node:crypto';
import { KnownEvent, portalAccessId } from '../../libs/domain/src';
import { anonymous, apiSpecification, GivenStream, on, ORGANIZATION_ID } from '../support/api-spec';

/**
 * Accepting an invitation: only a token this service signed, for the access's current
 * invitation, unexpired, unused, while the access is Invited, is accepted (410 with the reason
 * otherwise), and a refused acceptance writes nothing.
 */
describe('invitation tokens (API specification)', () => {
  const spec = apiSpecification();
  const password = 'a long and unusual passphrase';
  const DAY = 86_400_000;

  /** An access invited into a portal of the organization (its invitation sent at `sentAt`). */
  function invited(sentAt = Date.now()) {
    const portalId = randomUUID();
    const clientId = randomUUID();
    const contactId = randomUUID();
    const accessId = portalAccessId(portalId, contactId);
    const invitationId = randomUUID();
    const stream = `portalAccess-${accessId}`;
    const invitation: KnownEvent = {
      type: 'ContactInvited',
      data: {
        accessId,
        portalId,
        contactId,
        clientId,
        clientIds: [clientId],
        email: `${contactId}@client.example`,
        invitationId,
        sentAt: new Date(sentAt).toISOString(),
        expiresAt: new Date(sentAt + 7 * DAY).toISOString(),
      },
    };
    const given = (...later: KnownEvent[]): GivenStream[] => [
      on(`portal-${portalId}`, {
        type: 'PortalCreated',
        data: { portalId, organizationId: ORGANIZATION_ID, isDefault: false, name: 'Clients', slug: `tokens-${portalId.slice(0, 8)}`, selfRegistration: false, defaultLanguage: 'en' },
      }),
      on(`clientCompany-${clientId}`, { type: 'ClientCompanyRegistered', data: { clientId, name: 'Acme', email: null, website: null } }),
      on(`contact-${contactId}`, { type: 'ContactAdded', data: { contactId, clientId, name: 'Tom', email: `${contactId}@client.example` } }),
      on(stream, invitation, ...later),
    ];
    return { accessId, contactId, invitationId, stream, given };
  }
  const accept = (token: string) => anonymous('POST', '/v1/portal/invitations/accept', { token, password });

  it('accepts the current invitation once: the access becomes Active', async () => {
    const { accessId, contactId, invitationId, stream, given } = invited();
    const scenario = await spec.given(...given());
    await scenario.when(accept(scenario.invitationToken({ accessId, invitationId }))).then({
      status: 200,
      body: { accessId, contactId, status: 'Active' },
      events: [{ stream, type: 'InvitationAccepted', data: { accessId, contactId, invitationId } }],
    });
  });

  it('refuses a used token (410 used)', async () => {
    const { accessId, contactId, invitationId, given } = invited();
    const scenario = await spec.given(...given({ type: 'InvitationAccepted', data: { accessId, contactId, invitationId } }));
    await scenario.when(accept(scenario.invitationToken({ accessId, invitationId }))).then({ status: 410, problem: 'invitation-not-valid', body: { reason: 'used' }, events: [] });
  });

  it('refuses the token of an invitation sent again since (410 superseded); the new one is accepted', async () => {
    const { accessId, contactId, invitationId, stream, given } = invited(Date.now() - DAY);
    const resent = randomUUID();
    const now = Date.now();
    const scenario = await spec.given(
      ...given({
        type: 'InvitationResent',
        data: { accessId, contactId, invitationId: resent, supersedes: invitationId, sentAt: new Date(now).toISOString(), expiresAt: new Date(now + 7 * DAY).toISOString() },
      }),
    );
    await scenario.when(accept(scenario.invitationToken({ accessId, invitationId }))).then({ status: 410, problem: 'invitation-not-valid', body: { reason: 'superseded' }, events: [] });
    await scenario.when(accept(scenario.invitationToken({ accessId, invitationId: resent }))).then({
      status: 200,
      events: [{ stream, type: 'InvitationAccepted', data: { invitationId: resent } }],
    });
  });

  it('refuses an expired invitation (410 expired)', async () => {
    const { accessId, invitationId, given } = invited(Date.now() - 8 * DAY);
    const scenario = await spec.given(...given());
    await scenario.when(accept(scenario.invitationToken({ accessId, invitationId }))).then({ status: 410, problem: 'invitation-not-valid', body: { reason: 'expired' }, events: [] });
  });

  it('refuses the invitation of an access disabled since (410 access-not-invited)', async () => {
    const { accessId, contactId, invitationId, given } = invited();
    const scenario = await spec.given(...given({ type: 'PortalAccessDisabled', data: { accessId, contactId, reason: null, previousStatus: 'Invited' } }));
    await scenario.when(accept(scenario.invitationToken({ accessId, invitationId }))).then({
      status: 410,
      problem: 'invitation-not-valid',
      body: { reason: 'access-not-invited' },
      events: [],
    });
  });

  it('refuses an altered token as not valid (400 invalid-token), and a signed one naming no invitation the access has (410 superseded)', async () => {
    const { accessId, invitationId, given } = invited();
    const scenario = await spec.given(...given());
    const token = scenario.invitationToken({ accessId, invitationId });
    const altered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    await scenario.when(accept(altered)).then({ status: 400, problem: 'invalid-token', events: [] });
    await scenario.when(accept(scenario.invitationToken({ accessId, invitationId: randomUUID() }))).then({ status: 410, problem: 'invitation-not-valid', body: { reason: 'superseded' }, events: [] });
  });
});
