import { ContactEvent } from './contact';
import { assertMayImportContact, ensureClientCompany, importContact } from './imports';

describe('import deciders', () => {
  it('register a company once, and add a contact once with its associations', () => {
    const register = { type: 'RegisterClientCompany' as const, clientId: 'c1', name: 'Acme' };
    const registered = ensureClientCompany.decide(register, ensureClientCompany.initialState());
    expect(registered.map((e) => e.type)).toEqual(['ClientCompanyRegistered']);
    expect(ensureClientCompany.decide(register, registered.reduce(ensureClientCompany.evolve, ensureClientCompany.initialState()))).toEqual([]);

    const command = {
      type: 'ImportContact' as const,
      add: { type: 'AddContact' as const, contactId: 'p1', clientId: 'c1', name: 'Ana', email: 'ana@x.example' },
      associate: ['c2', 'c3'],
    };
    const events = importContact.decide(command, importContact.initialState());
    expect(events.map((e) => e.type)).toEqual(['ContactAdded', 'ContactAssociated', 'ContactAssociated']);
    const state = events.reduce(importContact.evolve, importContact.initialState());
    expect(importContact.decide(command, state)).toEqual([]);
    // The same person in another file, under another company: associated with it, not moved.
    const elsewhere = importContact.decide({ ...command, add: { ...command.add, clientId: 'c9' }, associate: [] }, state);
    expect(elsewhere).toEqual([{ type: 'ContactAssociated', data: { contactId: 'p1', clientId: 'c9' } }]);
  });

  it('refuse a contact only where importContact would: a new one without a name, an erased one', () => {
    const command = (name: string) => ({ type: 'ImportContact' as const, add: { type: 'AddContact' as const, contactId: 'p1', clientId: 'c1', name }, associate: ['c2'] });
    const added: ContactEvent = { type: 'ContactAdded', data: { contactId: 'p1', clientId: 'c1', name: 'Ana', email: null } };
    const erased: ContactEvent = { type: 'ContactErased', data: { contactId: 'p1', clientId: 'c1', accessIds: [] } };
    const state = (...events: ContactEvent[]) => events.reduce(importContact.evolve, importContact.initialState());
    expect(() => assertMayImportContact(state(), command('Ana'))).not.toThrow();
    expect(() => assertMayImportContact(state(added), command(' '))).not.toThrow();
    expect(() => assertMayImportContact(state(), command(' '))).toThrow(expect.objectContaining({ code: 'name-required' }));
    expect(() => assertMayImportContact(state(added, erased), command('Ana'))).toThrow(expect.objectContaining({ code: 'contact-erased' }));
  });
});
