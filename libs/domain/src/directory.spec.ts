import { clientCompany } from './client-company';
import { contact, ContactEvent, currentCompaniesOf } from './contact';
import { fold } from './decider';
import { deciderSpec } from './testing/decider-spec';

describe('client company', () => {
  const spec = deciderSpec(clientCompany);
  it('registers a company, trimming and nulling optional fields', () =>
    spec.given([]).when({ type: 'RegisterClientCompany', clientId: 'cl-1', name: ' Acme ', email: '', website: 'https://acme.test' }).then([
      { type: 'ClientCompanyRegistered', data: { clientId: 'cl-1', name: 'Acme', email: null, website: 'https://acme.test' } },
    ]));
  it('refuses a blank name', () =>
    spec.given([]).when({ type: 'RegisterClientCompany', clientId: 'cl-1', name: '   ' }).thenThrows('name-required'));
  it('refuses to register twice', () =>
    spec
      .given([{ type: 'ClientCompanyRegistered', data: { clientId: 'cl-1', name: 'Acme', email: null, website: null } }])
      .when({ type: 'RegisterClientCompany', clientId: 'cl-1', name: 'Acme' })
      .thenThrows('client-already-registered'));
});

describe('contact', () => {
  const spec = deciderSpec(contact);
  it('adds a contact with a lower-cased email', () =>
    spec.given([]).when({ type: 'AddContact', contactId: 'c-1', clientId: 'cl-1', name: 'Ana Souza', email: ' Ana@Example.COM ' }).then([
      { type: 'ContactAdded', data: { contactId: 'c-1', clientId: 'cl-1', name: 'Ana Souza', email: 'ana@example.com' } },
    ]));
  it('adds a contact without an email', () =>
    spec.given([]).when({ type: 'AddContact', contactId: 'c-1', clientId: 'cl-1', name: '山田 太郎' }).then([
      { type: 'ContactAdded', data: { contactId: 'c-1', clientId: 'cl-1', name: '山田 太郎', email: null } },
    ]));
  it('refuses a blank name', () =>
    spec.given([]).when({ type: 'AddContact', contactId: 'c-1', clientId: 'cl-1', name: '' }).thenThrows('name-required'));
});

describe('client company changes', () => {
  const spec = deciderSpec(clientCompany);
  const registered = { type: 'ClientCompanyRegistered' as const, data: { clientId: 'cl-1', name: 'Acme', email: null, website: null } };
  it('updates only what changed, including the postal address', () => {
    spec
      .given([registered])
      .when({ type: 'UpdateClientCompany', changes: { name: 'Acme', email: 'Office@acme.example ', address: { city: ' São Paulo ', country: 'br' } } })
      .then([
        {
          type: 'ClientCompanyUpdated',
          data: {
            clientId: 'cl-1',
            changes: { email: 'Office@acme.example', address: { line1: null, line2: null, city: 'São Paulo', postalCode: null, region: null, country: 'BR' } },
          },
        },
      ]);
    spec.given([registered]).when({ type: 'UpdateClientCompany', changes: { name: 'Acme' } }).then([]);
  });
  it('archives once; an archived company takes no more changes', () => {
    spec.given([registered]).when({ type: 'ArchiveClientCompany' }).then([{ type: 'ClientCompanyArchived', data: { clientId: 'cl-1', name: 'Acme' } }]);
    const archived = { type: 'ClientCompanyArchived' as const, data: { clientId: 'cl-1', name: 'Acme' } };
    spec.given([registered, archived]).when({ type: 'ArchiveClientCompany' }).thenThrows('client-archived');
    spec.given([registered, archived]).when({ type: 'UpdateClientCompany', changes: { name: 'New' } }).thenThrows('client-archived');
    spec.given([]).when({ type: 'ArchiveClientCompany' }).thenThrows('client-not-found');
  });
});

describe('contact associations', () => {
  const spec = deciderSpec(contact);
  const added = { type: 'ContactAdded' as const, data: { contactId: 'c-1', clientId: 'cl-1', name: 'Ana', email: null } };
  const associated = { type: 'ContactAssociated' as const, data: { contactId: 'c-1', clientId: 'cl-2' } };
  it('associates with more companies, once', () => {
    spec.given([added]).when({ type: 'AssociateContact', clientId: 'cl-2' }).then([associated]);
    spec.given([added, associated]).when({ type: 'AssociateContact', clientId: 'cl-2' }).then([]);
  });
  it('never dissociates from the primary company', () => {
    spec.given([added, associated]).when({ type: 'DissociateContact', clientId: 'cl-1' }).thenThrows('cannot-dissociate-primary-client');
  });
  it('dissociates, keeping documents by default or moving them to the primary company', () => {
    spec.given([added, associated]).when({ type: 'DissociateContact', clientId: 'cl-2' }).then([
      { type: 'ContactDissociated', data: { contactId: 'c-1', clientId: 'cl-2', documents: 'keep', documentsMovedTo: null } },
    ]);
    spec.given([added, associated]).when({ type: 'DissociateContact', clientId: 'cl-2', documents: 'move' }).then([
      { type: 'ContactDissociated', data: { contactId: 'c-1', clientId: 'cl-2', documents: 'move', documentsMovedTo: 'cl-1' } },
    ]);
    spec.given([added]).when({ type: 'DissociateContact', clientId: 'cl-9' }).thenThrows('not-associated');
  });
  it('changes the primary company, which stays associated, and then may leave the old one', () => {
    const changed = { type: 'ContactPrimaryClientChanged' as const, data: { contactId: 'c-1', previousClientId: 'cl-1', clientId: 'cl-2' } };
    spec.given([added, associated]).when({ type: 'ChangePrimaryClient', clientId: 'cl-2' }).then([changed]);
    spec.given([added, associated, changed]).when({ type: 'DissociateContact', clientId: 'cl-2' }).thenThrows('cannot-dissociate-primary-client');
    spec.given([added, associated, changed]).when({ type: 'DissociateContact', clientId: 'cl-1' }).then([
      { type: 'ContactDissociated', data: { contactId: 'c-1', clientId: 'cl-1', documents: 'keep', documentsMovedTo: null } },
    ]);
  });
  it('updates name, email and phone, only what changed', () => {
    spec.given([added]).when({ type: 'UpdateContact', changes: { name: 'Ana', email: 'ANA@x.example', phone: ' +55  11 5555 ' } }).then([
      { type: 'ContactUpdated', data: { contactId: 'c-1', changes: { email: 'ana@x.example', phone: '+55 11 5555' } } },
    ]);
    spec.given([added]).when({ type: 'UpdateContact', changes: { name: ' ' } }).thenThrows('name-required');
  });
});

describe('the companies a contact acts for now', () => {
  const added = { type: 'ContactAdded' as const, data: { contactId: 'ct-1', clientId: 'X', name: 'Lia', email: 'lia@x.example' } };
  const associated = (clientId: string) => ({ type: 'ContactAssociated' as const, data: { contactId: 'ct-1', clientId } });
  const state = (...events: ContactEvent[]) => fold(contact, events);
  const none = () => false;

  it('are its primary company first, then the associated ones in the order they were added', () => {
    expect(currentCompaniesOf(state(added, associated('Z'), associated('Y')), none)).toEqual(['X', 'Z', 'Y']);
    const moved = state(added, associated('Y'), { type: 'ContactPrimaryClientChanged', data: { contactId: 'ct-1', previousClientId: 'X', clientId: 'Y' } });
    expect(currentCompaniesOf(moved, none)).toEqual(['Y', 'X']);
    const left = fold(contact, [...[added, associated('Y')], { type: 'ContactPrimaryClientChanged', data: { contactId: 'ct-1', previousClientId: 'X', clientId: 'Y' } }, { type: 'ContactDissociated', data: { contactId: 'ct-1', clientId: 'X', documents: 'keep', documentsMovedTo: null } }]);
    expect(currentCompaniesOf(left, none)).toEqual(['Y']);
  });

  it('leave archived companies out, the primary one too; none when every one is archived', () => {
    const both = state(added, associated('Y'));
    expect(currentCompaniesOf(both, (id) => id === 'X')).toEqual(['Y']);
    expect(currentCompaniesOf(both, () => true)).toEqual([]);
    expect(currentCompaniesOf(contact.initialState(), none)).toEqual([]);
  });
});
