import { clientCompany, ClientCompanyCommand, ClientCompanyEvent, ClientCompanyState } from './client-company';
import { assertContactActive, assertMayAddContact, contact, ContactCommand, ContactEvent, ContactState } from './contact';
import { Decider } from './decider';
import { project, ProjectCommand, ProjectEvent, ProjectState } from './project';

/**
 * Imports are "make it so": what already exists is left as it is. The deciders below wrap the
 * directory's and projects' own (whose rules still decide every event) so that an existing
 * stream decides nothing, and importing the same file again writes nothing.
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

/**
 * Whether the row's contact may be imported: a new one needs a name; an existing one must not
 * be erased. What `importContact` refuses, checked before anything else of the row is written.
 */
export function assertMayImportContact(state: ContactState, command: ImportContactCommand): void {
  if (state.exists) assertContactActive(state);
  else assertMayAddContact(state, command.add);
}

/** Creates the project unless its stream exists (an import names projects; it does not change them). */
export const ensureProject: Decider<ProjectState, ProjectCommand, ProjectEvent> = {
  initialState: project.initialState,
  evolve: project.evolve,
  decide: (command, state) => (state.exists ? [] : project.decide(command, state)),
};
