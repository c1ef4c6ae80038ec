import { clientCompany } from './client-company';
import { contact } from './contact';
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
