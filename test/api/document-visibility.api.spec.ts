import { randomUUID } from 'node:crypto';
import { KnownEvent, portalAccessId, PortalDocumentVisibility, UserTypeModules } from '../../libs/domain/src';
import { apiSpecification, asPortalUser, GivenStream, on, ORGANIZATION_ID } from '../support/api-spec';

/**
 * What a portal user may open: documents of the companies its contact belongs to now (decided
 * at the request, from the streams), all of them where the organization shows users their
 * company's documents, or only its own and the whole company's where it shows each its own;
 * within its user type's permissions. Opening one records it (DocumentViewed); any other
 * answers 404 like an unknown id, or 403 for a missing permission, and writes nothing.
 */
describe('document visibility for portal users (API specification)', () => {
  const spec = apiSpecification();
  const none = { view: false, create: false, edit: false, delete: false, approve: false };
  const viewOnly = { ...none, view: true };
  const noQuotes: UserTypeModules = { shifts: viewOnly, timesheets: viewOnly, quotes: none, invoices: viewOnly, projects: viewOnly, documents: viewOnly };

  /** A portal, the user's company and another, the user (invited) and a colleague, and the organization's visibility setting. */
  function world(visibility: PortalDocumentVisibility, options: { userTypeId?: string } = {}) {
    const portalId = randomUUID();
    const companyId = randomUUID();
    const otherCompanyId = randomUUID();
    const contactId = randomUUID();
    const colleagueId = randomUUID();
    const accessId = portalAccessId(portalId, contactId);
    const invitationId = randomUUID();
    const email = `${contactId}@client.example`;
    const now = Date.now();
    const streams: GivenStream[] = [
      on(`organization-${ORGANIZATION_ID}`, { type: 'OrganizationSettingsChanged', data: { organizationId: ORGANIZATION_ID, changes: { portalDocumentVisibility: visibility } } }),
      on(
        `portal-${portalId}`,
        {
          type: 'PortalCreated',
          data: { portalId, organizationId: ORGANIZATION_ID, isDefault: false, name: 'Clients', slug: `docs-${portalId.slice(0, 8)}`, selfRegistration: false, defaultLanguage: 'en' },
        },
        ...(options.userTypeId ? [{ type: 'UserTypeDefined', data: { portalId, userTypeId: options.userTypeId, name: 'No quotes', modules: noQuotes } } as const] : []),
      ),
      on(`clientCompany-${companyId}`, { type: 'ClientCompanyRegistered', data: { clientId: companyId, name: 'Acme', email: null, website: null } }),
      on(`clientCompany-${otherCompanyId}`, { type: 'ClientCompanyRegistered', data: { clientId: otherCompanyId, name: 'Beta', email: null, website: null } }),
      on(`contact-${contactId}`, { type: 'ContactAdded', data: { contactId, clientId: companyId, name: 'Ana', email } }),
      on(`contact-${colleagueId}`, { type: 'ContactAdded', data: { contactId: colleagueId, clientId: companyId, name: 'Bo', email: `${colleagueId}@client.example` } }),
      on(`portalAccess-${accessId}`, {
        type: 'ContactInvited',
        data: {
          accessId,
          portalId,
          contactId,
          clientId: companyId,
          clientIds: [companyId],
          email,
          invitationId,
          sentAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 86_400_000).toISOString(),
          userTypeId: options.userTypeId ?? null,
        },
      }),
    ];
    return { companyId, otherCompanyId, contactId, colleagueId, accessId, invitation: { accessId, invitationId, email }, streams };
  }

  /** A quote shared with a company, addressed to one of its contacts or (null) to the whole company. */
  function quote(clientId: string, contactId: string | null) {
    const quoteId = randomUUID();
    const shared: KnownEvent = {
      type: 'QuoteShared',
      data: {
        quoteId,
        validUntil: '2099-12-31',
        clientId,
        contactId,
        projectId: null,
        number: `Q-${quoteId.slice(0, 8)}`,
        title: 'Warehouse staffing',
        issueDate: '2026-03-01',
        link: 'https://erp.example/quotes/1',
        currency: 'EUR',
        lines: [{ description: 'Staff hours', quantity: '10', unitPrice: 4550, amount: 45500 }],
        subtotal: 45500,
        tax: 0,
        total: 45500,
      },
    };
    return { quoteId, stream: on(`quote-${quoteId}`, shared) };
  }

  const open = (user: { headers: Record<string, string> }, documentId: string) => asPortalUser(user, 'GET', `/v1/portal/documents/${documentId}`);
  const viewed = (documentId: string, clientId: string, contactId: string, accessId: string) => ({
    stream: `documentViews-${documentId}`,
    type: 'DocumentViewed',
    data: { documentId, kind: 'quote', clientId, contactId, accessId },
  });
  const notFound = { status: 404, problem: 'document-not-found', events: [] };

  it('shows, where users see their company’s documents, every document of its company and records the opening', async () => {
    const { companyId, contactId, colleagueId, accessId, invitation, streams } = world('company');
    const whole = quote(companyId, null);
    const colleagues = quote(companyId, colleagueId);
    const scenario = await spec.given(...streams, whole.stream, colleagues.stream);
    const user = await scenario.signedIn(invitation);
    await scenario.when(open(user, whole.quoteId)).then({ status: 200, body: { id: whole.quoteId, kind: 'quote', clientId: companyId }, events: [viewed(whole.quoteId, companyId, contactId, accessId)] });
    await scenario.when(open(user, colleagues.quoteId)).then({ status: 200, events: [viewed(colleagues.quoteId, companyId, contactId, accessId)] });
  });

  it('answers another company’s document 404, like an unknown one, and writes nothing', async () => {
    const { otherCompanyId, invitation, streams } = world('company');
    const theirs = quote(otherCompanyId, null);
    const scenario = await spec.given(...streams, theirs.stream);
    const user = await scenario.signedIn(invitation);
    await scenario.when(open(user, theirs.quoteId)).then(notFound);
    await scenario.when(open(user, randomUUID())).then(notFound);
  });

  it('shows, where each user sees its own, its own and the whole company’s documents, not a colleague’s', async () => {
    const { companyId, contactId, colleagueId, accessId, invitation, streams } = world('own');
    const own = quote(companyId, contactId);
    const whole = quote(companyId, null);
    const colleagues = quote(companyId, colleagueId);
    const scenario = await spec.given(...streams, own.stream, whole.stream, colleagues.stream);
    const user = await scenario.signedIn(invitation);
    await scenario.when(open(user, colleagues.quoteId)).then(notFound);
    await scenario.when(open(user, own.quoteId)).then({ status: 200, events: [viewed(own.quoteId, companyId, contactId, accessId)] });
    await scenario.when(open(user, whole.quoteId)).then({ status: 200, events: [viewed(whole.quoteId, companyId, contactId, accessId)] });
  });

  it('follows the contact’s companies as they are now: associated, it sees the other company’s documents; dissociated, no longer', async () => {
    const { otherCompanyId, contactId, accessId, invitation, streams } = world('company');
    const theirs = quote(otherCompanyId, null);
    const scenario = await spec.given(...streams, theirs.stream);
    const user = await scenario.signedIn(invitation);
    await scenario.when(open(user, theirs.quoteId)).then(notFound);

    await spec.given(on(`contact-${contactId}`, { type: 'ContactAssociated', data: { contactId, clientId: otherCompanyId } }));
    await scenario.when(open(user, theirs.quoteId)).then({ status: 200, events: [viewed(theirs.quoteId, otherCompanyId, contactId, accessId)] });

    await spec.given(on(`contact-${contactId}`, { type: 'ContactDissociated', data: { contactId, clientId: otherCompanyId, documents: 'keep', documentsMovedTo: null } }));
    await scenario.when(open(user, theirs.quoteId)).then(notFound);
  });

  it('refuses a document its user type may not view (403 forbidden) and writes nothing', async () => {
    const userTypeId = randomUUID();
    const { companyId, invitation, streams } = world('company', { userTypeId });
    const whole = quote(companyId, null);
    const scenario = await spec.given(...streams, whole.stream);
    const user = await scenario.signedIn(invitation);
    await scenario.when(open(user, whole.quoteId)).then({ status: 403, problem: 'forbidden', events: [] });
  });
});
