import { fold } from './decider';
import { invoice, InvoiceCommand } from './invoice';
import { normalizeModules } from './portal';
import {
  assertMayAddClientUser,
  assertProjectOpen,
  assertValidProject,
  clientUserRate,
  DocumentProject,
  documentProjectOf,
  effectiveHourlyRate,
  projectPermissionsOf,
  project,
  ProjectEvent,
  projectMembership,
} from './project';
import { quote } from './quote';
import { shift } from './shift';
import { deciderSpec } from './testing/decider-spec';
import { timesheet } from './timesheet';

const P = 'p1';
const ACME = 'cl-acme';
const BETA = 'cl-beta';
const ANA = 'ct-ana';
const BO = 'ct-bo';
const CY = 'ct-cy';

const created = (billingMethod: 'staff-hours' | 'fixed' | 'none' = 'staff-hours'): ProjectEvent => ({ type: 'ProjectCreated', data: { projectId: P, name: 'Warehouse move', billingMethod } });
const added = (clientId: string, primary: boolean, previousPrimaryClientId: string | null = null): ProjectEvent => ({
  type: 'ClientCompanyAddedToProject',
  data: { projectId: P, clientId, primary, previousPrimaryClientId },
});
const joined = (contactId: string, clientId = ACME, hourlyRate: { amount: number; currency: string } | null = null): ProjectEvent => ({
  type: 'ClientUserAddedToProject',
  data: { projectId: P, contactId, clientId, hourlyRate },
});
const quotesApprover = normalizeModules({ quotes: { view: true, approve: true } });
const customized = (contactId: string, clonedFrom: string | null = null, modules = quotesApprover): ProjectEvent => ({
  type: 'ProjectPermissionsCustomized',
  data: { projectId: P, contactId, modules, clonedFrom },
});

describe('project guards (checked before an invitation, a company or another project is written)', () => {
  const state = (...history: ProjectEvent[]) => fold(project, history);
  const archived: ProjectEvent = { type: 'ProjectArchived', data: { projectId: P } };
  const addAna = { type: 'AddClientUserToProject' as const, contactId: ANA, contactClientIds: [BETA, ACME] };

  it('assertValidProject: a name and a known billing method', () => {
    expect(assertValidProject({ name: ' Warehouse  move ', billingMethod: 'fixed' })).toEqual({ name: 'Warehouse move', billingMethod: 'fixed' });
    expect(() => assertValidProject({ name: 'X', billingMethod: 'hourly' })).toThrow(expect.objectContaining({ code: 'invalid-billing-method' }));
  });
  it('assertProjectOpen: exists and is not archived', () => {
    expect(assertProjectOpen(state(created()))).toBe(P);
    expect(() => assertProjectOpen(state())).toThrow(expect.objectContaining({ code: 'project-not-found' }));
    expect(() => assertProjectOpen(state(created(), archived))).toThrow(expect.objectContaining({ code: 'project-archived' }));
  });
  it('assertMayAddClientUser: through a company of the contact in the project; the same addition again is no refusal', () => {
    expect(assertMayAddClientUser(state(created(), added(ACME, true)), addAna)).toEqual({ projectId: P, clientId: ACME, hourlyRate: null, alreadyIn: false });
    expect(assertMayAddClientUser(state(created(), added(ACME, true), joined(ANA)), addAna)).toMatchObject({ alreadyIn: true });
    expect(() => assertMayAddClientUser(state(created()), addAna)).toThrow(expect.objectContaining({ code: 'client-not-in-project' }));
    expect(() => assertMayAddClientUser(state(created(), added(ACME, true)), { ...addAna, clientId: 'cl-other' })).toThrow(expect.objectContaining({ code: 'contact-not-of-client' }));
    expect(() => assertMayAddClientUser(state(created('fixed'), added(ACME, true)), { ...addAna, hourlyRate: { amount: '10', currency: 'EUR' } })).toThrow(
      expect.objectContaining({ code: 'rate-not-applicable' }),
    );
    expect(() => assertMayAddClientUser(state(created(), added(ACME, true), added(BETA, false), joined(ANA)), { ...addAna, clientId: BETA })).toThrow(
      expect.objectContaining({ code: 'client-user-exists' }),
    );
  });
});

describe('project', () => {
  const spec = deciderSpec(project);

  describe('creating and changing', () => {
    it('creates a project with a name and a billing method', () =>
      spec.given([]).when({ type: 'CreateProject', projectId: P, name: '  Warehouse   move ', billingMethod: 'staff-hours' }).then([created()]));

    it('refuses an unknown billing method and an empty name', () => {
      spec.given([]).when({ type: 'CreateProject', projectId: P, name: 'X', billingMethod: 'hourly' }).thenThrows('invalid-billing-method');
      spec.given([]).when({ type: 'CreateProject', projectId: P, name: ' ', billingMethod: 'none' }).thenThrows('name-required');
    });

    it('creating the same project again changes nothing; a different one is a conflict', () => {
      spec.given([created()]).when({ type: 'CreateProject', projectId: P, name: 'Warehouse move', billingMethod: 'staff-hours' }).then([]);
      spec.given([created()]).when({ type: 'CreateProject', projectId: P, name: 'Other', billingMethod: 'staff-hours' }).thenThrows('project-exists');
    });

    it('renames; leaving staff-hours billing ends the project rates', () => {
      spec
        .given([created(), added(ACME, true), joined(ANA, ACME, { amount: 4550, currency: 'EUR' }), joined(BO)])
        .when({ type: 'UpdateProject', changes: { name: 'Warehouse move 2', billingMethod: 'fixed' } })
        .then([{ type: 'ProjectUpdated', data: { projectId: P, changes: { name: 'Warehouse move 2', billingMethod: 'fixed' }, ratesCleared: [ANA] } }]);
      const state = fold(project, [created(), added(ACME, true), joined(ANA, ACME, { amount: 4550, currency: 'EUR' }), { type: 'ProjectUpdated', data: { projectId: P, changes: { billingMethod: 'fixed' }, ratesCleared: [ANA] } }]);
      expect(state.clientUsers[0].hourlyRate).toBeNull();
      spec.given([created()]).when({ type: 'UpdateProject', changes: { name: 'Warehouse move' } }).then([]);
    });

    it('archives once; an archived project takes no changes', () => {
      const archived: ProjectEvent = { type: 'ProjectArchived', data: { projectId: P } };
      spec.given([created()]).when({ type: 'ArchiveProject' }).then([archived]);
      spec.given([created(), archived]).when({ type: 'ArchiveProject' }).then([]);
      spec.given([created(), archived]).when({ type: 'AddClientCompanyToProject', clientId: ACME }).thenThrows('project-archived');
      spec.given([]).when({ type: 'ArchiveProject' }).thenThrows('project-not-found');
    });
  });

  describe('client companies and the primary client', () => {
    it('the first company added becomes the primary client', () =>
      spec.given([created()]).when({ type: 'AddClientCompanyToProject', clientId: ACME }).then([added(ACME, true)]));

    it('the first company is not the primary when the command says so', () =>
      spec.given([created()]).when({ type: 'AddClientCompanyToProject', clientId: ACME, primary: false }).then([added(ACME, false)]));

    it('later companies are plain clients unless they are made the primary', () => {
      spec.given([created(), added(ACME, true)]).when({ type: 'AddClientCompanyToProject', clientId: BETA }).then([added(BETA, false)]);
      spec.given([created(), added(ACME, true)]).when({ type: 'AddClientCompanyToProject', clientId: BETA, primary: true }).then([added(BETA, true, ACME)]);
      const state = fold(project, [created(), added(ACME, true), added(BETA, true, ACME)]);
      expect(state.clients).toEqual([{ clientId: ACME, primary: false }, { clientId: BETA, primary: true }]);
      expect(state.primaryClientId).toBe(BETA);
    });

    it('adding a company again changes nothing (or makes it the primary when asked)', () => {
      spec.given([created(), added(ACME, true), added(BETA, false)]).when({ type: 'AddClientCompanyToProject', clientId: BETA }).then([]);
      spec
        .given([created(), added(ACME, true), added(BETA, false)])
        .when({ type: 'AddClientCompanyToProject', clientId: BETA, primary: true })
        .then([{ type: 'ProjectPrimaryClientChanged', data: { projectId: P, clientId: BETA, previousClientId: ACME } }]);
    });

    it('sets the primary client among the project’s companies only', () => {
      spec
        .given([created(), added(ACME, true), added(BETA, false)])
        .when({ type: 'SetPrimaryClient', clientId: BETA })
        .then([{ type: 'ProjectPrimaryClientChanged', data: { projectId: P, clientId: BETA, previousClientId: ACME } }]);
      spec.given([created(), added(ACME, true)]).when({ type: 'SetPrimaryClient', clientId: ACME }).then([]);
      spec.given([created(), added(ACME, true)]).when({ type: 'SetPrimaryClient', clientId: BETA }).thenThrows('client-not-in-project');
    });

    it('removing the primary company leaves the project without one, and removes its client users', () => {
      const history = [created(), added(ACME, true), added(BETA, false), joined(ANA, ACME), joined(CY, BETA)];
      spec
        .given(history)
        .when({ type: 'RemoveClientCompanyFromProject', clientId: ACME })
        .then([
          { type: 'ClientUserRemovedFromProject', data: { projectId: P, contactId: ANA, clientId: ACME, reason: 'client-removed', notify: false } },
          { type: 'ClientCompanyRemovedFromProject', data: { projectId: P, clientId: ACME, wasPrimary: true } },
        ]);
      const state = fold(project, [
        ...history,
        { type: 'ClientUserRemovedFromProject', data: { projectId: P, contactId: ANA, clientId: ACME, reason: 'client-removed', notify: false } },
        { type: 'ClientCompanyRemovedFromProject', data: { projectId: P, clientId: ACME, wasPrimary: true } },
      ]);
      expect(state.primaryClientId).toBeNull();
      expect(state.clients).toEqual([{ clientId: BETA, primary: false }]);
      expect(state.clientUsers.map((u) => u.contactId)).toEqual([CY]);
      spec.given(history).when({ type: 'RemoveClientCompanyFromProject', clientId: 'cl-other' }).thenThrows('project-client-not-found');
    });
  });

  describe('client users and rates', () => {
    const history = [created('staff-hours'), added(ACME, true), added(BETA, false)];

    it('adds a contact of a company in the project, through its first such company, with a rate', () =>
      spec
        .given(history)
        .when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: ['cl-x', BETA, ACME], hourlyRate: { amount: '45.50', currency: 'eur' } })
        .then([joined(ANA, BETA, { amount: 4550, currency: 'EUR' })]));

    it('adds through the company named, which must be the contact’s and the project’s', () => {
      spec.given(history).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [BETA, ACME], clientId: ACME }).then([joined(ANA, ACME)]);
      spec.given(history).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [BETA], clientId: ACME }).thenThrows('contact-not-of-client');
      spec.given(history).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: ['cl-x'], clientId: 'cl-x' }).thenThrows('client-not-in-project');
    });

    it('refuses a contact none of whose companies is in the project', () =>
      spec.given(history).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: ['cl-x'] }).thenThrows('client-not-in-project'));

    it('accepts a rate only when the project bills by staff hours', () => {
      for (const billingMethod of ['fixed', 'none'] as const) {
        spec
          .given([created(billingMethod), added(ACME, true)])
          .when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [ACME], hourlyRate: { amount: '45.50', currency: 'EUR' } })
          .thenThrows('rate-not-applicable', { billingMethod });
        spec.given([created(billingMethod), added(ACME, true)]).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [ACME] }).then([joined(ANA)]);
        spec
          .given([created(billingMethod), added(ACME, true), joined(ANA)])
          .when({ type: 'ChangeClientUserRate', contactId: ANA, hourlyRate: { amount: '50', currency: 'EUR' } })
          .thenThrows('rate-not-applicable');
      }
      spec.given(history).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [ACME], hourlyRate: { amount: '45.505', currency: 'EUR' } }).thenThrows('invalid-amount');
      spec.given(history).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [ACME], hourlyRate: { amount: '45', currency: 'XXY' } }).thenThrows('unknown-currency');
    });

    it('adding the same user again changes nothing; with another rate it is a conflict', () => {
      const withAna = [...history, joined(ANA, ACME, { amount: 4550, currency: 'EUR' })];
      spec.given(withAna).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [ACME] }).then([]);
      spec.given(withAna).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [ACME], hourlyRate: { amount: '45.50', currency: 'EUR' } }).then([]);
      spec.given(withAna).when({ type: 'AddClientUserToProject', contactId: ANA, contactClientIds: [ACME], hourlyRate: { amount: '60', currency: 'EUR' } }).thenThrows('client-user-exists');
    });

    it('changes a rate, and removes it (the portal-level rate applies again)', () => {
      const withAna = [...history, joined(ANA, ACME, { amount: 4550, currency: 'EUR' })];
      spec
        .given(withAna)
        .when({ type: 'ChangeClientUserRate', contactId: ANA, hourlyRate: { amount: '50', currency: 'EUR' } })
        .then([{ type: 'ClientUserRateChanged', data: { projectId: P, contactId: ANA, clientId: ACME, hourlyRate: { amount: 5000, currency: 'EUR' }, previousHourlyRate: { amount: 4550, currency: 'EUR' } } }]);
      spec
        .given(withAna)
        .when({ type: 'ChangeClientUserRate', contactId: ANA, hourlyRate: null })
        .then([{ type: 'ClientUserRateChanged', data: { projectId: P, contactId: ANA, clientId: ACME, hourlyRate: null, previousHourlyRate: { amount: 4550, currency: 'EUR' } } }]);
      spec.given(withAna).when({ type: 'ChangeClientUserRate', contactId: ANA, hourlyRate: { amount: '45.5', currency: 'EUR' } }).then([]);
      spec.given(history).when({ type: 'ChangeClientUserRate', contactId: ANA, hourlyRate: null }).thenThrows('client-user-not-found');
    });

    it('the project rate applies, else the portal-level rate, and only where the project bills by staff hours', () => {
      const portalRate = { amount: 4000, currency: 'EUR' };
      const withRate = fold(project, [...history, joined(ANA, ACME, { amount: 4550, currency: 'EUR' }), joined(BO)]);
      expect(effectiveHourlyRate(withRate, withRate.clientUsers[0], portalRate)).toEqual({ hourlyRate: { amount: 4550, currency: 'EUR' }, source: 'project' });
      expect(effectiveHourlyRate(withRate, withRate.clientUsers[1], portalRate)).toEqual({ hourlyRate: portalRate, source: 'portal' });
      expect(effectiveHourlyRate(withRate, withRate.clientUsers[1], null)).toEqual({ hourlyRate: null, source: null });
      const fixed = fold(project, [created('fixed'), added(ACME, true), joined(BO)]);
      expect(effectiveHourlyRate(fixed, fixed.clientUsers[0], portalRate)).toEqual({ hourlyRate: null, source: null });
    });

    it('removes a user, saying whether to notify it', () => {
      spec
        .given([...history, joined(ANA)])
        .when({ type: 'RemoveClientUserFromProject', contactId: ANA, notify: true })
        .then([{ type: 'ClientUserRemovedFromProject', data: { projectId: P, contactId: ANA, clientId: ACME, reason: 'removed', notify: true } }]);
      spec.given(history).when({ type: 'RemoveClientUserFromProject', contactId: ANA }).thenThrows('client-user-not-found');
    });
  });

  describe('per-project permissions', () => {
    const history = [created(), added(ACME, true), joined(ANA), joined(BO), joined(CY)];
    const userType = { userTypeId: 'ut-1', modules: normalizeModules({ quotes: { view: true } }) };

    it('a client user has its user type’s permissions until customized', () => {
      const state = fold(project, history);
      expect(projectPermissionsOf(state.clientUsers[0], userType)).toEqual({ modules: userType.modules, source: { kind: 'user-type', userTypeId: 'ut-1' } });
    });

    it('customizes one user’s permissions in the project, module by module', () => {
      spec.given(history).when({ type: 'CustomizeProjectPermissions', contactId: ANA, modules: { quotes: { view: true, approve: true } } }).then([customized(ANA)]);
      spec.given([...history, customized(ANA)]).when({ type: 'CustomizeProjectPermissions', contactId: ANA, modules: { quotes: { approve: true, view: true } } }).then([]);
      spec.given(history).when({ type: 'CustomizeProjectPermissions', contactId: ANA, modules: { quotes: { approve: true } } }).thenThrows('permission-needs-view');
      spec.given(history).when({ type: 'CustomizeProjectPermissions', contactId: ANA, modules: { payroll: { view: true } } }).thenThrows('unknown-module');
      spec.given(history).when({ type: 'CustomizeProjectPermissions', contactId: 'ct-stranger', modules: {} }).thenThrows('client-user-not-found');
      const state = fold(project, [...history, customized(ANA)]);
      expect(projectPermissionsOf(state.clientUsers[0], userType)).toEqual({ modules: quotesApprover, source: { kind: 'project', clonedFrom: null } });
    });

    it('clones one user’s customization to other users of the project', () => {
      spec
        .given([...history, customized(ANA)])
        .when({ type: 'CloneProjectPermissions', fromContactId: ANA, toContactIds: [BO, CY, BO] })
        .then([customized(BO, ANA), customized(CY, ANA)]);
      // Cloning again changes nothing.
      spec.given([...history, customized(ANA), customized(BO, ANA)]).when({ type: 'CloneProjectPermissions', fromContactId: ANA, toContactIds: [BO] }).then([]);
      const state = fold(project, [...history, customized(ANA), customized(BO, ANA)]);
      expect(projectPermissionsOf(state.clientUsers[1], userType).source).toEqual({ kind: 'project', clonedFrom: ANA });
    });

    it('refuses to clone without a customization, to the source itself, or to a non-member', () => {
      spec.given(history).when({ type: 'CloneProjectPermissions', fromContactId: ANA, toContactIds: [BO] }).thenThrows('permissions-not-customized');
      spec.given([...history, customized(ANA)]).when({ type: 'CloneProjectPermissions', fromContactId: ANA, toContactIds: [ANA] }).thenThrows('invalid-clone-targets');
      spec.given([...history, customized(ANA)]).when({ type: 'CloneProjectPermissions', fromContactId: ANA, toContactIds: [] }).thenThrows('invalid-clone-targets');
      spec.given([...history, customized(ANA)]).when({ type: 'CloneProjectPermissions', fromContactId: ANA, toContactIds: ['ct-stranger'] }).thenThrows('client-user-not-found', { contactId: 'ct-stranger' });
    });

    it('resets a customization: the user type’s permissions apply again', () => {
      spec.given([...history, customized(ANA)]).when({ type: 'ResetProjectPermissions', contactId: ANA }).then([{ type: 'ProjectPermissionsReset', data: { projectId: P, contactId: ANA } }]);
      spec.given(history).when({ type: 'ResetProjectPermissions', contactId: ANA }).then([]);
      const state = fold(project, [...history, customized(ANA), { type: 'ProjectPermissionsReset', data: { projectId: P, contactId: ANA } }]);
      expect(projectPermissionsOf(state.clientUsers[0], userType).source).toEqual({ kind: 'user-type', userTypeId: 'ut-1' });
    });

    it('a removed user, or one whose company left the project or whose contact left the company, is not in the project', () => {
      const state = fold(project, [...history, added(BETA, false), joined('ct-dee', BETA)]);
      expect(projectMembership(state, { contactId: ANA, clientIds: [ACME] })).toMatchObject({ contactId: ANA, clientId: ACME });
      expect(projectMembership(state, { contactId: ANA, clientIds: [BETA] })).toBeNull();
      expect(projectMembership(state, { contactId: 'ct-stranger', clientIds: [ACME] })).toBeNull();
      const removed = fold(project, [...history, { type: 'ClientUserRemovedFromProject', data: { projectId: P, contactId: ANA, clientId: ACME, reason: 'removed', notify: false } }]);
      expect(projectMembership(removed, { contactId: ANA, clientIds: [ACME] })).toBeNull();
    });
  });
});

describe('a document’s project', () => {
  const state = (...events: ProjectEvent[]) => fold(project, [created(), ...events]);
  const facts = (...events: ProjectEvent[]): DocumentProject => documentProjectOf(P, state(...events));
  const header = { clientId: ACME, contactId: null, number: 'N-1', issueDate: '2026-03-01', link: 'https://erp.example/d/1', currency: 'EUR', lines: [{ description: 'Work', quantity: '1', unitPrice: '10' }] };
  const shareInvoice = (project: DocumentProject | null, clientId = ACME): InvoiceCommand => ({ type: 'ShareInvoice', invoiceId: 'i1', ...header, clientId, projectId: P, project, dueDate: '2026-03-31' });

  it('an invoice for a project needs its primary client, and is addressed to it', () => {
    const invoices = deciderSpec(invoice);
    invoices.given([]).when(shareInvoice(facts(added(ACME, false)))).thenThrows('project-has-no-primary-client');
    invoices
      .given([])
      .when(shareInvoice(facts(added(ACME, true), { type: 'ClientCompanyRemovedFromProject', data: { projectId: P, clientId: ACME, wasPrimary: true } }, added(BETA, false)), BETA))
      .thenThrows('project-has-no-primary-client');
    invoices.given([]).when(shareInvoice(facts(added(ACME, true), added(BETA, false)), BETA)).thenThrows('not-primary-client');
    const [shared] = invoice.decide(shareInvoice(facts(added(ACME, true), added(BETA, false))), invoice.initialState());
    expect(shared).toMatchObject({ type: 'InvoiceShared', data: { clientId: ACME, projectId: P } });
  });

  it('any document names only a project its company belongs to, that exists and is not archived', () => {
    const quotes = deciderSpec(quote);
    const shareQuote = (project: DocumentProject | null) => ({ type: 'ShareQuote' as const, quoteId: 'q1', ...header, projectId: P, project, validUntil: '2026-03-31' });
    quotes.given([]).when(shareQuote(null)).thenThrows('unknown-project');
    quotes.given([]).when(shareQuote({ ...facts(added(ACME, true)), exists: false })).thenThrows('unknown-project');
    quotes.given([]).when(shareQuote(facts(added(BETA, true)))).thenThrows('client-not-in-project');
    quotes.given([]).when(shareQuote(facts(added(ACME, true), { type: 'ProjectArchived', data: { projectId: P } }))).thenThrows('project-archived');
    // A quote needs no primary client.
    expect(quote.decide(shareQuote(facts(added(ACME, false))), quote.initialState())[0]).toMatchObject({ data: { projectId: P } });

    const shifts = deciderSpec(shift);
    const publish = { type: 'PublishShift' as const, shiftId: 's1', clientId: ACME, staffMember: { name: 'Kenji' }, start: '2026-03-02T08:00:00+09:00', end: '2026-03-02T17:00:00+09:00', projectId: P };
    shifts.given([]).when({ ...publish, project: facts(added(BETA, true)) }).thenThrows('client-not-in-project');
    const [published] = shift.decide({ ...publish, project: facts(added(ACME, true)) }, shift.initialState());
    shifts.given([published]).when({ type: 'UpdateShift', changes: { projectId: 'p2' }, project: null }).thenThrows('unknown-project');
    // Leaving the project needs no project.
    const [moved] = shift.decide({ type: 'UpdateShift', changes: { projectId: null } }, fold(shift, [published]));
    expect(moved).toMatchObject({ type: 'ShiftUpdated', data: { changes: { projectId: null }, shift: { projectId: null } } });

    const timesheets = deciderSpec(timesheet);
    timesheets
      .given([])
      .when({
        type: 'SubmitTimesheet',
        timesheetId: 't1',
        clientId: ACME,
        contactId: null,
        projectId: P,
        project: facts(added(BETA, true)),
        staffMember: { name: 'Jonas' },
        entries: [{ date: '2026-03-02', start: '08:00', end: '16:00', breakMinutes: 30 }],
        timeZone: 'UTC',
      })
      .thenThrows('client-not-in-project');
  });
});

describe('client user portal-level rate', () => {
  const spec = deciderSpec(clientUserRate);
  it('sets, changes and removes the rate; the same rate again changes nothing', () => {
    spec
      .given([])
      .when({ type: 'SetClientUserPortalRate', contactId: ANA, hourlyRate: { amount: '40', currency: 'BRL' } })
      .then([{ type: 'ClientUserPortalRateSet', data: { contactId: ANA, hourlyRate: { amount: 4000, currency: 'BRL' }, previousHourlyRate: null } }]);
    const set = { type: 'ClientUserPortalRateSet' as const, data: { contactId: ANA, hourlyRate: { amount: 4000, currency: 'BRL' }, previousHourlyRate: null } };
    spec.given([set]).when({ type: 'SetClientUserPortalRate', contactId: ANA, hourlyRate: { amount: '40.00', currency: 'BRL' } }).then([]);
    spec
      .given([set])
      .when({ type: 'SetClientUserPortalRate', contactId: ANA, hourlyRate: null })
      .then([{ type: 'ClientUserPortalRateSet', data: { contactId: ANA, hourlyRate: null, previousHourlyRate: { amount: 4000, currency: 'BRL' } } }]);
  });
});
