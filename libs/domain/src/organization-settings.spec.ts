import { organization, OrganizationEvent } from './organization';
import { deciderSpec } from './testing/decider-spec';

describe('organization settings', () => {
  const spec = deciderSpec(organization);
  const created: OrganizationEvent = { type: 'OrganizationCreated', data: { organizationId: 'o1', name: 'Acme', timeZone: 'UTC' } };
  const changed = (changes: Record<string, unknown>): OrganizationEvent => ({ type: 'OrganizationSettingsChanged', data: { organizationId: 'o1', changes } });

  it('start with company-wide visibility and no notification email', () => {
    expect(organization.initialState().settings).toEqual({ portalDocumentVisibility: 'company', notificationEmail: null, notificationLanguage: null });
  });

  it('change the document visibility and the notification email, one event with what changed', () => {
    spec
      .given([created])
      .when({ type: 'ChangeOrganizationSettings', changes: { portalDocumentVisibility: 'own', notificationEmail: ' Office@Acme.example ' } })
      .then([changed({ portalDocumentVisibility: 'own', notificationEmail: 'office@acme.example' })]);
    spec
      .given([created, changed({ portalDocumentVisibility: 'own', notificationEmail: 'office@acme.example' })])
      .when({ type: 'ChangeOrganizationSettings', changes: { portalDocumentVisibility: 'own', notificationEmail: null } })
      .then([changed({ notificationEmail: null })]);
  });

  it('write nothing when nothing changes', () => {
    spec.given([created]).when({ type: 'ChangeOrganizationSettings', changes: {} }).then([]);
    spec.given([created]).when({ type: 'ChangeOrganizationSettings', changes: { portalDocumentVisibility: 'company', notificationEmail: null } }).then([]);
    spec
      .given([created, changed({ notificationEmail: 'office@acme.example' })])
      .when({ type: 'ChangeOrganizationSettings', changes: { notificationEmail: 'OFFICE@acme.example' } })
      .then([]);
  });

  it('refuse bad values, naming the field', () => {
    for (const notificationEmail of ['not an email', 'a@b', '', `${'x'.repeat(250)}@acme.example`, 42 as unknown as string]) {
      spec.given([created]).when({ type: 'ChangeOrganizationSettings', changes: { notificationEmail } }).thenThrows('invalid-setting', { field: 'notificationEmail' });
    }
    spec
      .given([created])
      .when({ type: 'ChangeOrganizationSettings', changes: { portalDocumentVisibility: 'everyone' as never } })
      .thenThrows('invalid-setting', { field: 'portalDocumentVisibility' });
  });

  it('need the organization to exist', () => {
    spec.given([]).when({ type: 'ChangeOrganizationSettings', changes: { notificationEmail: null } }).thenThrows('organization-not-found');
  });

  it('change the language of the notification emails; refuse one that is not a language tag', () => {
    spec.given([created]).when({ type: 'ChangeOrganizationSettings', changes: { notificationLanguage: 'ja' } }).then([changed({ notificationLanguage: 'ja' })]);
    spec.given([created, changed({ notificationLanguage: 'ja' })]).when({ type: 'ChangeOrganizationSettings', changes: { notificationLanguage: 'ja' } }).then([]);
    spec.given([created]).when({ type: 'ChangeOrganizationSettings', changes: { notificationLanguage: 'xx-Klingon' } }).thenThrows('invalid-setting', { field: 'notificationLanguage' });
  });

  it('fold into the state', () => {
    const state = [created, changed({ portalDocumentVisibility: 'own' }), changed({ notificationEmail: 'a@acme.example' })].reduce(organization.evolve, organization.initialState());
    expect(state.settings).toEqual({ portalDocumentVisibility: 'own', notificationEmail: 'a@acme.example', notificationLanguage: null });
  });
});
