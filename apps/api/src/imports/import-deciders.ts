import {
  clientCompany,
  ClientCompanyCommand,
  ClientCompanyEvent,
  ClientCompanyState,
  contact,
  ContactCommand,
  ContactEvent,
  ContactState,
  Decider,
} from '@app/domain';

/**
 * Imports are "make it so": what already exists is left as it is. These wrap the domain
 * deciders (whose rules still decide every event) so that an existing stream decides nothing.
 */

export type RegisterClientCompanyCommand = Extract<ClientCompanyCommand, { type: 'RegisterClientCompany' }>;

/** Registers the company unless its stream already exists (existing companies are not updated). */
export const ensureClientCompany: Decider<ClientCompanyState, RegisterClientCompanyCommand, ClientCompanyEvent> = {
  initialState: clientCompany.initialState,
  evolve: clientCompany.evolve,
  decide: (command, state) => (state.registered ? [] : clientCompany.decide(command, state)),
};

export interface ImportContactCommand {
  type: 'ImportContact';
  add: Extract<ContactCommand, { type: 'AddContact' }>;
  /** Other companies the contact belongs to. */
  associate: string[];
}

/**
 * Adds the contact unless it exists, then associates it with the row's company (when an
 * existing contact has another primary) and the other companies it lacks: all of a row's
 * events in one append. An existing contact's name, email and phone are not changed.
 */
export const importContact: Decider<ContactState, ImportContactCommand, ContactEvent> = {
  initialState: contact.initialState,
  evolve: contact.evolve,
  decide(command, state) {
    const events: ContactEvent[] = [];
    let current = state;
    const apply = (decided: ContactEvent[]) => {
      events.push(...decided);
      current = decided.reduce(contact.evolve, current);
    };
    if (!current.exists) apply(contact.decide(command.add, current));
    for (const clientId of [command.add.clientId, ...command.associate]) {
      apply(contact.decide({ type: 'AssociateContact', clientId }, current));
    }
    return events;
  },
};
