import {
  apiKey,
  clientCompany,
  clientUserRate,
  clientUserRateStream,
  contact,
  DocumentKind,
  documentProjectOf,
  formatAmount,
  documentComments,
  documentStream,
  documentViews,
  documentViewsStream,
  documentCommentsStream,
  invoice,
  notification,
  notificationIdOf,
  notificationStream,
  organization,
  organizationStream,
  portal,
  portalAccess,
  PortalAccessCommand,
  PortalAccessState,
  portalAccessStream,
  portalStream,
  project,
  ProjectCommand,
  ProjectState,
  projectStream,
  quote,
  registration,
  shift,
  timesheet,
} from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Act, History } from './history';

/**
 * A history that makes every projection write every field it can: two organizations (one in a
 * time zone with DST), portals with templates and user types, companies and contacts moving
 * between each other, portal accesses through every state (invited, re-sent, accepted,
 * disabled and enabled both ways, revoked, invited again, password reset, preferences,
 * username, user type and companies changed), registrations approved and rejected, API keys,
 * projects (companies in and out, the primary changed and removed, client users with rates
 * set, changed and cleared, permissions customized, cloned and reset, renamed, re-billed,
 * archived) with portal-level rates, documents of every kind through their lifecycles (some in
 * a project), moved, commented on by staff and portal users, opened, with the notifications
 * they cause read, and a contact erased at its request. Everything goes through the domain's
 * deciders, so the events are the ones the service stores. Ids are fixed (`seed` varies them),
 * times start on Monday 2026-03-23 and move forward.
 */
export function richHistory(seed = 1): RecordedEvent[] {
  const history = new History('org-rich-1');
  let counter = 0;
  const id = () => `00000000-0000-4000-8${String(seed % 1000).padStart(3, '0')}-${String((counter += 1)).padStart(12, '0')}`;
  let clock = Date.parse('2026-03-23T07:00:00Z');
  const tick = () => new Date((clock += 37 * 60_000)).toISOString();

  for (const [organizationId, timeZone] of [
    ['org-rich-1', 'Europe/Berlin'],
    ['org-rich-2', 'Asia/Tokyo'],
  ] as const) {
    const staff = (): Act => ({ at: tick(), organizationId, actor: { kind: 'staff', id: 'key-admin' }, channel: 'api' });
    const portalUser = (accessId: string): Act => ({ at: tick(), organizationId, actor: { kind: 'portal-user', id: accessId }, channel: 'portal' });

    history.run(organization, organizationStream(organizationId), { type: 'CreateOrganization', organizationId, name: `Org ${organizationId}`, timeZone }, staff());
    history.run(organization, organizationStream(organizationId), { type: 'ChangeOrganizationSettings', changes: { notificationEmail: 'ops@org.example', notificationLanguage: 'fr' } }, staff());

    // API keys
    const keyId = id();
    history.run(apiKey, `apiKey-${keyId}`, { type: 'IssueApiKey', keyId, name: 'Reporting', role: 'reporter', prefix: 'cpk_abcdefgh' }, staff());
    history.run(apiKey, `apiKey-${keyId}`, { type: 'RevokeApiKey' }, staff());

    // Portals, templates, user types
    const portalId = id();
    const portalStreamName = portalStream(portalId);
    const settings = { name: 'Client portal', slug: `portal-${portalId.slice(-6)}`, selfRegistration: true, defaultLanguage: 'en' };
    history.run(portal, portalStreamName, { type: 'CreatePortal', portalId, organizationId, isDefault: true, ...settings }, staff());
    history.run(portal, portalStreamName, { type: 'UpdatePortal', changes: { name: 'Customer portal', defaultLanguage: 'ja' } }, staff());
    const template = { subject: 'Welcome {{contactName}}', body: 'Accept: {{acceptUrl}}' };
    history.run(portal, portalStreamName, { type: 'SaveInvitationTemplate', language: 'en', ...template }, staff());
    history.run(portal, portalStreamName, { type: 'SaveInvitationTemplate', language: 'fr', ...template }, staff());
    history.run(portal, portalStreamName, { type: 'RemoveInvitationTemplate', language: 'fr' }, staff());
    const userTypeId = id();
    const approver = { timesheets: { view: true, create: true, approve: true }, quotes: { view: true, approve: true }, invoices: { view: true, approve: true }, shifts: { view: true } };
    history.run(portal, portalStreamName, { type: 'DefineUserType', userTypeId, name: 'Approver', modules: approver, maxUserTypes: 5 }, staff());
    history.run(portal, portalStreamName, { type: 'ChangeUserType', userTypeId, name: 'Approvers', modules: { ...approver, documents: { view: true } } }, staff());

    // Companies and contacts
    const [clientA, clientB, clientC] = [id(), id(), id()];
    history.run(clientCompany, `clientCompany-${clientA}`, { type: 'RegisterClientCompany', clientId: clientA, name: 'Souza Comércio', email: 'a@souza.example', website: 'https://souza.example', address: { line1: 'Rua 1', city: 'São Paulo', postalCode: '01000-000', country: 'BR' } }, staff());
    history.run(clientCompany, `clientCompany-${clientB}`, { type: 'RegisterClientCompany', clientId: clientB, name: 'Beta GmbH' }, staff());
    history.run(clientCompany, `clientCompany-${clientC}`, { type: 'RegisterClientCompany', clientId: clientC, name: 'Gamma KK' }, staff());
    history.run(clientCompany, `clientCompany-${clientA}`, { type: 'UpdateClientCompany', changes: { name: 'Souza Comércio Ltda', email: 'b@souza.example', website: null, address: { city: 'Campinas' } } }, staff());

    const contacts = [id(), id(), id(), id()];
    const emails = contacts.map((c, i) => `person${i}.${c.slice(-4)}@client.example`);
    contacts.forEach((contactId, i) =>
      history.run(contact, `contact-${contactId}`, { type: 'AddContact', contactId, name: `Person ${i}`, email: emails[i], phone: i === 0 ? '+55 11 91234-5678' : null, clientId: i < 3 ? clientA : clientB }, staff()),
    );
    history.run(contact, `contact-${contacts[0]}`, { type: 'UpdateContact', changes: { name: 'Person Zero', phone: null } }, staff());
    history.run(contact, `contact-${contacts[0]}`, { type: 'AssociateContact', clientId: clientB }, staff());
    history.run(contact, `contact-${contacts[1]}`, { type: 'AssociateContact', clientId: clientC }, staff());

    // Portal accesses through every state
    const accessIds = contacts.map(() => id());
    const access = (i: number) => accessIds[i];
    const runAccess = (i: number, command: PortalAccessCommand, act: Act = staff()) => history.run(portalAccess, portalAccessStream(access(i)), command, act);
    const newInvitation = (act: Act, days = 7) => ({ invitationId: id(), sentAt: act.at, expiresAt: new Date(Date.parse(act.at) + days * 86_400_000).toISOString() });
    const invite = (i: number, clientIds: string[]) => {
      const act = staff();
      runAccess(i, { type: 'InviteContact', accessId: access(i), portalId, contact: { contactId: contacts[i], clientIds, email: emails[i] }, invitation: newInvitation(act), userTypeId, language: 'pt-BR' }, act);
    };
    const accept = (i: number) => {
      const act = portalUser(access(i));
      runAccess(i, { type: 'AcceptInvitation', invitationId: history.state<PortalAccessState>(portalAccessStream(access(i)))!.invitationId!, now: act.at }, act);
    };
    invite(0, [clientA, clientB]);
    let act = staff();
    runAccess(0, { type: 'ResendInvitation', invitation: newInvitation(act), cooldownSeconds: 0, email: 'person@example.com' }, act);
    accept(0);
    act = portalUser(access(0));
    runAccess(0, { type: 'ChangePortalPreferences', changes: { language: 'ja', timeZone: 'Asia/Tokyo', timeFormat: '12h', country: 'JP' } }, act);
    runAccess(0, { type: 'RequestPasswordReset', requestId: 'reset-1', expiresAt: new Date(Date.parse(act.at) + 3_600_000).toISOString() }, act);
    act = portalUser(access(0));
    runAccess(0, { type: 'ResetPortalPassword', requestId: 'reset-1', now: act.at }, act);
    runAccess(0, { type: 'ChangePortalUsername', email: `renamed.${emails[0]}` });
    runAccess(0, { type: 'ChangePortalUserType', userTypeId: null });
    runAccess(0, { type: 'ChangePortalUserType', userTypeId });
    runAccess(0, { type: 'RecordPortalAccessCompanies', clientIds: [clientA], cause: 'contact-dissociated' });
    runAccess(0, { type: 'DisablePortalAccess', reason: 'on leave' });
    runAccess(0, { type: 'EnablePortalAccess', invitation: newInvitation(staff()), email: 'person@example.com' }); // back to Active
    invite(1, [clientA, clientC]);
    runAccess(1, { type: 'DisablePortalAccess', reason: null });
    act = staff();
    runAccess(1, { type: 'EnablePortalAccess', invitation: newInvitation(act, 30), email: 'person@example.com' }); // back to Invited
    accept(1);
    invite(2, [clientA]);
    runAccess(2, { type: 'RevokePortalAccess', reason: 'left the company', notify: true });
    invite(2, [clientA]); // invited again after the revocation
    invite(3, [clientB]); // left pending
    const viewer = (i: number, clientIds: string[]) => ({ clientIds, contactId: contacts[i], visibility: 'company' as const });

    // Directory changes after the invitations
    history.run(contact, `contact-${contacts[0]}`, { type: 'DissociateContact', clientId: clientB, documents: 'keep' }, staff());
    history.run(contact, `contact-${contacts[1]}`, { type: 'ChangePrimaryClient', clientId: clientC }, staff());
    history.run(contact, `contact-${contacts[0]}`, { type: 'UpdateContact', changes: { phone: '+55 11 99999-0000' } }, portalUser(access(0)));
    history.run(clientCompany, `clientCompany-${clientA}`, { type: 'UpdateClientCompany', changes: { website: 'https://souza.example/new' } }, portalUser(access(0)));
    history.run(clientCompany, `clientCompany-${clientC}`, { type: 'ArchiveClientCompany' }, staff());

    // Self-registration, approved and rejected
    const [approved, rejected] = [id(), id()];
    history.run(registration, `registration-${approved}`, { type: 'RequestRegistration', registrationId: approved, portalId, email: 'new@delta.example', name: 'Dee Delta', companyName: 'Delta SA', requestedAt: tick() }, { ...staff(), actor: { kind: 'system', id: 'self-registration' }, channel: 'portal' });
    history.run(registration, `registration-${approved}`, { type: 'AssignRegistrationClient', clientId: clientB, created: false }, staff());
    history.run(registration, `registration-${approved}`, { type: 'AssignRegistrationContact', contactId: contacts[3] }, staff());
    history.run(registration, `registration-${approved}`, { type: 'ApproveRegistration', userTypeId, decidedAt: tick() }, staff());
    history.run(registration, `registration-${rejected}`, { type: 'RequestRegistration', registrationId: rejected, portalId, email: 'spam@nowhere.example', name: 'Spam', companyName: 'Nowhere', requestedAt: tick() }, staff());
    history.run(registration, `registration-${rejected}`, { type: 'RejectRegistration', reason: 'unknown company', decidedAt: tick() }, staff());

    // Projects: one billed by staff hours that keeps running, one re-billed, left without a primary and archived
    const currency = timeZone === 'Asia/Tokyo' ? 'JPY' : 'EUR';
    const rate = (amount: string) => ({ amount: currency === 'JPY' ? String(Math.round(Number(amount) * 100)) : amount, currency });
    const [relocation, yearEnd] = [id(), id()];
    const runProject = (projectId: string, command: ProjectCommand, act: Act = staff()) => history.run(project, projectStream(projectId), command, act);
    runProject(relocation, { type: 'CreateProject', projectId: relocation, name: 'Warehouse relocation', billingMethod: 'staff-hours' });
    runProject(relocation, { type: 'AddClientCompanyToProject', clientId: clientA }); // the first: the primary client
    runProject(relocation, { type: 'AddClientCompanyToProject', clientId: clientB, primary: true }); // replaces it as the primary
    runProject(relocation, { type: 'SetPrimaryClient', clientId: clientA }); // and back
    runProject(relocation, { type: 'AddClientUserToProject', contactId: contacts[0], contactClientIds: [clientA], hourlyRate: rate('45.50') });
    runProject(relocation, { type: 'AddClientUserToProject', contactId: contacts[1], contactClientIds: [clientC, clientA], clientId: clientA });
    runProject(relocation, { type: 'AddClientUserToProject', contactId: contacts[3], contactClientIds: [clientB] });
    runProject(relocation, { type: 'ChangeClientUserRate', contactId: contacts[3], hourlyRate: rate('38.00') });
    history.run(clientUserRate, clientUserRateStream(contacts[1]), { type: 'SetClientUserPortalRate', contactId: contacts[1], hourlyRate: rate('41.00') }, staff());
    const projectModules = { timesheets: { view: true, create: true, approve: true }, shifts: { view: true }, documents: { view: true } };
    runProject(relocation, { type: 'CustomizeProjectPermissions', contactId: contacts[0], modules: projectModules });
    runProject(relocation, { type: 'CloneProjectPermissions', fromContactId: contacts[0], toContactIds: [contacts[1], contacts[3]] });
    runProject(relocation, { type: 'ResetProjectPermissions', contactId: contacts[3] });
    runProject(relocation, { type: 'RemoveClientUserFromProject', contactId: contacts[1], notify: true });
    runProject(relocation, { type: 'UpdateProject', changes: { name: 'Warehouse relocation 2026' } });
    runProject(yearEnd, { type: 'CreateProject', projectId: yearEnd, name: 'Year-end inventory', billingMethod: 'staff-hours' });
    runProject(yearEnd, { type: 'AddClientCompanyToProject', clientId: clientA });
    runProject(yearEnd, { type: 'AddClientCompanyToProject', clientId: clientB });
    runProject(yearEnd, { type: 'AddClientUserToProject', contactId: contacts[0], contactClientIds: [clientA], hourlyRate: rate('52.00') });
    runProject(yearEnd, { type: 'AddClientUserToProject', contactId: contacts[3], contactClientIds: [clientB] });
    runProject(yearEnd, { type: 'UpdateProject', changes: { billingMethod: 'fixed' } }); // clears the project rates
    runProject(yearEnd, { type: 'RemoveClientCompanyFromProject', clientId: clientA }); // the primary, with its client users
    runProject(yearEnd, { type: 'ArchiveProject' });
    const inRelocation = () => documentProjectOf(relocation, history.state<ProjectState>(projectStream(relocation))!);

    // Documents of every kind through their lifecycles
    const start = new Date(clock + 86_400_000);
    const local = (date: Date) => date.toISOString().slice(0, 10);
    const shiftId = id();
    const shiftStream = documentStream('shift', shiftId);
    history.run(shift, shiftStream, { type: 'PublishShift', shiftId, clientId: clientA, staffMember: { id: 'staff-7', name: 'Kenji Sato' }, start: '2026-04-02T08:00:00+02:00', end: '2026-04-02T17:00:00+02:00', location: 'Dock 3', role: 'Driver', projectId: relocation, project: inRelocation() }, staff());
    history.run(shift, shiftStream, { type: 'UpdateShift', changes: { location: 'Dock 4', end: '2026-04-02T18:00:00+02:00' } }, staff());
    const cancelledShift = id();
    history.run(shift, documentStream('shift', cancelledShift), { type: 'PublishShift', shiftId: cancelledShift, clientId: clientB, staffMember: { name: 'Ana Lima' }, start: '2026-04-03T08:00:00+02:00', end: '2026-04-03T12:00:00+02:00' }, staff());
    history.run(shift, documentStream('shift', cancelledShift), { type: 'CancelShift', reason: 'closed' }, staff());
    history.run(shift, documentStream('shift', cancelledShift), { type: 'MoveDocumentToClient', toClientId: clientA, reason: 'contact-dissociated' }, staff());

    const entries = [
      { date: local(start), start: '08:00', end: '16:30', breakMinutes: 30, note: 'inventory' },
      { date: local(new Date(start.getTime() + 86_400_000)), start: '22:00', end: '24:00' },
    ];
    const [approvedSheet, rejectedSheet] = [id(), id()];
    history.run(timesheet, documentStream('timesheet', approvedSheet), { type: 'SubmitTimesheet', timesheetId: approvedSheet, clientId: clientA, contactId: contacts[0], projectId: relocation, project: inRelocation(), staffMember: { id: 'staff-7', name: 'Kenji Sato' }, entries, timeZone, note: 'week 14' }, portalUser(access(0)));
    history.run(timesheet, documentStream('timesheet', approvedSheet), { type: 'ApproveTimesheet' }, portalUser(access(1)));
    history.run(timesheet, documentStream('timesheet', rejectedSheet), { type: 'SubmitTimesheet', timesheetId: rejectedSheet, clientId: clientA, contactId: null, staffMember: { name: 'Ana Lima' }, entries: entries.slice(0, 1), timeZone }, staff());
    history.run(timesheet, documentStream('timesheet', rejectedSheet), { type: 'RejectTimesheet', reason: 'wrong day' }, portalUser(access(1)));
    history.run(timesheet, documentStream('timesheet', rejectedSheet), { type: 'ResubmitTimesheet', entries: entries.slice(1), timeZone, staffMember: { name: 'Ana Lima' }, note: null }, staff());
    history.run(timesheet, documentStream('timesheet', rejectedSheet), { type: 'MoveDocumentToClient', toClientId: clientB, reason: 'contact-dissociated' }, staff());

    const lines = [
      { description: 'Staff (hours)', quantity: '160', unitPrice: '45.50' },
      { description: 'Travel', quantity: '1.5', unitPrice: '12.25' },
    ];
    const header = (clientId: string, contactId: string | null, n: number) => ({ clientId, contactId, projectId: null, number: `D-${n}`, title: `Document ${n}`, issueDate: local(start), link: 'https://erp.example/d', currency: n % 2 ? 'BRL' : 'JPY', lines: n % 2 ? lines : [{ description: 'Work', quantity: '2', unitPrice: '1200' }], tax: n % 2 ? '728.00' : '0' });
    const validUntil = local(new Date(start.getTime() + 30 * 86_400_000));
    const quotes = [id(), id(), id()];
    quotes.forEach((quoteId, n) => history.run(quote, documentStream('quote', quoteId), { type: 'ShareQuote', quoteId, validUntil, ...header(clientA, n === 0 ? contacts[0] : null, n + 1) }, staff()));
    act = portalUser(access(0));
    history.run(quote, documentStream('quote', quotes[0]), { type: 'AcceptQuote', contactId: contacts[0], now: act.at, timeZone }, act);
    history.run(quote, documentStream('quote', quotes[1]), { type: 'DeclineQuote', contactId: contacts[0], reason: 'over budget' }, portalUser(access(0)));
    history.run(quote, documentStream('quote', quotes[2]), { type: 'WithdrawQuote', reason: 'replaced' }, staff());
    history.run(quote, documentStream('quote', quotes[2]), { type: 'MoveDocumentToClient', toClientId: clientB, reason: 'contact-dissociated' }, staff());

    const invoices = [id(), id()];
    const due = local(new Date(start.getTime() + 14 * 86_400_000));
    invoices.forEach((invoiceId, n) => history.run(invoice, documentStream('invoice', invoiceId), { type: 'ShareInvoice', invoiceId, dueDate: due, ...header(clientA, null, n + 3) }, staff()));
    act = portalUser(access(0));
    history.run(invoice, documentStream('invoice', invoices[0]), { type: 'RecordInvoicePayment', paymentId: id(), amount: '40.00', method: 'bank-transfer', reference: 'TRX-1', paidAt: null, contactId: contacts[0], now: act.at, timeZone }, act);
    act = staff();
    history.run(invoice, documentStream('invoice', invoices[0]), { type: 'RecordInvoicePayment', paymentId: id(), amount: remaining(history, invoices[0]), method: 'cash', reference: 'desk', paidAt: act.at, contactId: null, now: act.at, timeZone }, act);
    history.run(invoice, documentStream('invoice', invoices[1]), { type: 'MoveDocumentToClient', toClientId: clientB, reason: 'contact-dissociated' }, staff());

    // Comments, views, notifications read
    const documents: [string, DocumentKind, string][] = [
      [quotes[0], 'quote', clientA],
      [approvedSheet, 'timesheet', clientA],
      [invoices[0], 'invoice', clientA],
      [shiftId, 'shift', clientA],
    ];
    for (const [documentId, kind, clientId] of documents) {
      const audience = { clientId, contactId: null };
      if (kind !== 'shift') {
        history.run(documentComments, documentCommentsStream(documentId), { type: 'AddComment', commentId: id(), documentId, kind, document: audience, text: 'Can we start on the 2nd?', author: { kind: 'portal-user', id: access(0), contactId: contacts[0] }, viewer: viewer(0, [clientA]) }, portalUser(access(0)));
        history.run(documentComments, documentCommentsStream(documentId), { type: 'AddComment', commentId: id(), documentId, kind, document: audience, text: 'Yes.', author: { kind: 'staff', id: 'key-admin', contactId: null } }, staff());
      }
      for (let view = 0; view < 2; view++) {
        history.run(documentViews, documentViewsStream(documentId), { type: 'MarkDocumentViewed', documentId, kind, document: audience, accessId: access(0), viewer: viewer(0, [clientA]) }, portalUser(access(0)));
      }
    }
    const clientAction = history.events.find((e) => e.metadata.organizationId === organizationId && e.type === 'QuoteAccepted')!;
    const notificationId = notificationIdOf(clientAction.id, clientAction.metadata.occurredAt);
    history.run(notification, notificationStream(notificationId), { type: 'MarkNotificationRead', notificationId }, staff());

    // A company leaves a running project, with its client user; a person asks to be forgotten
    runProject(relocation, { type: 'RemoveClientCompanyFromProject', clientId: clientB });
    runAccess(2, { type: 'RevokePortalAccess', reason: 'erased at the person’s request', notify: false });
    history.run(contact, `contact-${contacts[2]}`, { type: 'EraseContact', accessIds: [access(2)] }, staff());
  }
  return history.events;
}

/** What is left to pay on an invoice, as a decimal string in its currency. */
function remaining(history: History, invoiceId: string): string {
  const state = history.state<{ invoice: { total: number; currency: string }; paidTotal: number }>(documentStream('invoice', invoiceId))!;
  return formatAmount(state.invoice.total - state.paidTotal, state.invoice.currency);
}
