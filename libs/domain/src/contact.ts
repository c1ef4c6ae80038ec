import { Decider } from './decider';
import { DomainError } from './errors';

/** A person at a client company. Stream: `contact-<id>`. */
export const contactStream = (contactId: string) => `contact-${contactId}`;

export type ContactEvent = {
  type: 'ContactAdded';
  data: { contactId: string; clientId: string; name: string; email: string | null };
};

export type ContactCommand = {
  type: 'AddContact';
  contactId: string;
  name: string;
  email?: string | null;
  /** The primary client company; the caller has checked that it exists. */
  clientId: string;
};

export interface ContactState {
  exists: boolean;
  contactId: string | null;
  clientId: string | null;
  name: string | null;
  email: string | null;
}

export const contact: Decider<ContactState, ContactCommand, ContactEvent> = {
  initialState: () => ({ exists: false, contactId: null, clientId: null, name: null, email: null }),

  decide(command, state) {
    switch (command.type) {
      case 'AddContact': {
        if (state.exists) throw new DomainError('conflict', 'contact-already-exists', 'This contact already exists.');
        const name = command.name.trim();
        if (!name) throw new DomainError('unprocessable', 'name-required', 'A contact needs a name.');
        return [
          {
            type: 'ContactAdded',
            data: {
              contactId: command.contactId,
              clientId: command.clientId,
              name,
              email: normalizeEmail(command.email),
            },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ContactAdded':
        return {
          exists: true,
          contactId: event.data.contactId,
          clientId: event.data.clientId,
          name: event.data.name,
          email: event.data.email,
        };
      default:
        return state;
    }
  },
};

/** Emails are compared case-insensitively everywhere, so they are stored lower-cased. */
export function normalizeEmail(email: string | null | undefined): string | null {
  const trimmed = email?.trim().toLowerCase();
  return trimmed ? trimmed : null;
}
