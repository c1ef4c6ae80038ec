import { Decider, OfType } from './decider';
import { DomainError } from './errors';

/**
 * A person at a client company. It has exactly one primary company, and may be associated
 * with more; it is never detached from its primary. Stream: `contact-<id>`.
 */
export const contactStream = (contactId: string) => `contact-${contactId}`;

export type DocumentsOnDissociation = 'keep' | 'move';

export type ContactEvent =
  | { type: 'ContactAdded'; data: { contactId: string; clientId: string; name: string; email: string | null; phone?: string | null } }
  | { type: 'ContactUpdated'; data: { contactId: string; changes: { name?: string; email?: string | null; phone?: string | null } } }
  | { type: 'ContactAssociated'; data: { contactId: string; clientId: string } }
  | {
      type: 'ContactDissociated';
      data: {
        contactId: string;
        clientId: string;
        /** What happens to the documents the contact created for that company. */
        documents: DocumentsOnDissociation;
        /** Where they go when moved: the contact's primary company. */
        documentsMovedTo: string | null;
      };
    }
  | { type: 'ContactPrimaryClientChanged'; data: { contactId: string; previousClientId: string; clientId: string } }
  /** The person asked to be forgotten: its key is destroyed, its personal data reads `[erased]` from now on. */
  | { type: 'ContactErased'; data: { contactId: string; clientId: string; /** Its portal accesses, revoked with it. */ accessIds: string[] } };

export type ContactCommand =
  | {
      type: 'AddContact';
      contactId: string;
      name: string;
      email?: string | null;
      phone?: string | null;
      /** The primary client company; the caller has checked that it exists. */
      clientId: string;
    }
  | { type: 'UpdateContact'; changes: { name?: string; email?: string | null; phone?: string | null } }
  /** The caller has checked that the company exists and is not archived. */
  | { type: 'AssociateContact'; clientId: string }
  | { type: 'DissociateContact'; clientId: string; documents?: DocumentsOnDissociation }
  | { type: 'ChangePrimaryClient'; clientId: string }
  | { type: 'EraseContact'; accessIds: string[] };

export interface ContactState {
  exists: boolean;
  contactId: string | null;
  /** The primary client company. */
  clientId: string | null;
  /** Every company the contact belongs to, the primary included. */
  clientIds: string[];
  name: string | null;
  email: string | null;
  phone: string | null;
  /** Erased (forgotten): nothing more may be done with it. */
  erased?: boolean;
}

export const contact: Decider<ContactState, ContactCommand, ContactEvent> = {
  initialState: () => ({ exists: false, contactId: null, clientId: null, clientIds: [], name: null, email: null, phone: null }),

  decide(command, state) {
    switch (command.type) {
      case 'EraseContact': return eraseContact(command, state);
      case 'AddContact': return addContact(command, state);
      case 'UpdateContact': return updateContact(command, state);
      case 'AssociateContact': return associateContact(command, state);
      case 'DissociateContact': return dissociateContact(command, state);
      case 'ChangePrimaryClient': return changePrimaryClient(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ContactAdded':
        return {
          exists: true,
          contactId: event.data.contactId,
          clientId: event.data.clientId,
          clientIds: [event.data.clientId],
          name: event.data.name,
          email: event.data.email,
          phone: event.data.phone ?? null,
        };
      case 'ContactUpdated':
        return { ...state, ...event.data.changes, name: event.data.changes.name ?? state.name };
      case 'ContactAssociated':
        return { ...state, clientIds: [...state.clientIds, event.data.clientId] };
      case 'ContactDissociated':
        return { ...state, clientIds: state.clientIds.filter((id) => id !== event.data.clientId) };
      case 'ContactErased':
        return { ...state, erased: true, name: '[erased]', email: null, phone: null };
      case 'ContactPrimaryClientChanged':
        // The new primary is associated from now on; the old one stays associated.
        return {
          ...state,
          clientId: event.data.clientId,
          clientIds: state.clientIds.includes(event.data.clientId) ? state.clientIds : [...state.clientIds, event.data.clientId],
        };
      default:
        return state;
    }
  },
};

/**
 * The companies a contact acts for now: those it belongs to (primary first, then associated
 * ones in the order they were added) that are not archived. A portal user sees and decides
 * for exactly these; none left means it may not sign in.
 */
export function currentCompaniesOf(state: ContactState, isArchived: (clientId: string) => boolean): string[] {
  if (!state.exists) return [];
  const ordered = [state.clientId!, ...state.clientIds.filter((id) => id !== state.clientId)];
  return ordered.filter((id) => !isArchived(id));
}

// ---------------------------------------------------------------------------------------------
// Guards: what a command handler checks before it writes anything else.
// ---------------------------------------------------------------------------------------------

/** A contact that exists and was not erased (404, 410 otherwise). Answers its id. */
export function assertContactActive(state: ContactState): string {
  if (!state.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
  if (state.erased) throw new DomainError('gone', 'contact-erased', 'This contact was erased at its request: nothing more may be done with it.');
  return state.contactId!;
}

/** Whether this contact may be added: its stream is new, and it has a name. */
export function assertMayAddContact(state: ContactState, add: { name: string }): void {
  if (state.exists) throw new DomainError('conflict', 'contact-already-exists', 'This contact already exists.');
  requiredName(add.name);
}

// ---------------------------------------------------------------------------------------------
// One decide function per command, each named after it, with the events it decides.
// ---------------------------------------------------------------------------------------------

type Command<Type extends ContactCommand['type']> = OfType<ContactCommand, Type>;

/** EraseContact -> ContactErased (erasing again: nothing; the caller destroys the key again) */
function eraseContact(command: Command<'EraseContact'>, state: ContactState): ContactEvent[] {
  if (!state.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
  return state.erased ? [] : [{ type: 'ContactErased', data: { contactId: state.contactId!, clientId: state.clientId!, accessIds: command.accessIds } }];
}

/** AddContact -> ContactAdded */
function addContact(command: Command<'AddContact'>, state: ContactState): ContactEvent[] {
  assertMayAddContact(state, command);
  const phone = normalizePhone(command.phone);
  return [
    {
      type: 'ContactAdded',
      data: {
        contactId: command.contactId,
        clientId: command.clientId,
        name: requiredName(command.name),
        email: normalizeEmail(command.email),
        ...(phone ? { phone } : {}),
      },
    },
  ];
}

/** UpdateContact -> ContactUpdated (what changed only) */
function updateContact(command: Command<'UpdateContact'>, state: ContactState): ContactEvent[] {
  const contactId = assertContactActive(state);
  const changes: { name?: string; email?: string | null; phone?: string | null } = {};
  if (command.changes.name !== undefined && requiredName(command.changes.name) !== state.name) changes.name = requiredName(command.changes.name);
  if (command.changes.email !== undefined && normalizeEmail(command.changes.email) !== state.email) changes.email = normalizeEmail(command.changes.email);
  if (command.changes.phone !== undefined && normalizePhone(command.changes.phone) !== state.phone) changes.phone = normalizePhone(command.changes.phone);
  return Object.keys(changes).length ? [{ type: 'ContactUpdated', data: { contactId, changes } }] : [];
}

/** AssociateContact -> ContactAssociated */
function associateContact(command: Command<'AssociateContact'>, state: ContactState): ContactEvent[] {
  const contactId = assertContactActive(state);
  if (state.clientIds.includes(command.clientId)) return [];
  return [{ type: 'ContactAssociated', data: { contactId, clientId: command.clientId } }];
}

/** DissociateContact -> ContactDissociated (never from its primary company) */
function dissociateContact(command: Command<'DissociateContact'>, state: ContactState): ContactEvent[] {
  const contactId = assertContactActive(state);
  if (command.clientId === state.clientId) {
    throw new DomainError(
      'conflict',
      'cannot-dissociate-primary-client',
      'A contact cannot be dissociated from its primary client company; change the primary company first.',
    );
  }
  if (!state.clientIds.includes(command.clientId)) {
    throw new DomainError('not-found', 'not-associated', 'The contact is not associated with this client company.');
  }
  const documents = command.documents ?? 'keep';
  return [
    {
      type: 'ContactDissociated',
      data: { contactId, clientId: command.clientId, documents, documentsMovedTo: documents === 'move' ? state.clientId : null },
    },
  ];
}

/** ChangePrimaryClient -> ContactPrimaryClientChanged */
function changePrimaryClient(command: Command<'ChangePrimaryClient'>, state: ContactState): ContactEvent[] {
  const contactId = assertContactActive(state);
  if (command.clientId === state.clientId) return [];
  return [{ type: 'ContactPrimaryClientChanged', data: { contactId, previousClientId: state.clientId!, clientId: command.clientId } }];
}

function requiredName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new DomainError('unprocessable', 'name-required', 'A contact needs a name.');
  return trimmed;
}

/** Emails are compared case-insensitively everywhere, so they are stored lower-cased. */
export function normalizeEmail(email: string | null | undefined): string | null {
  const trimmed = email?.trim().toLowerCase();
  return trimmed ? trimmed : null;
}

function normalizePhone(phone: string | null | undefined): string | null {
  const trimmed = phone?.trim().replace(/\s+/g, ' ');
  return trimmed ? trimmed : null;
}
