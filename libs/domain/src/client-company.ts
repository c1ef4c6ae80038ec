import { Decider } from './decider';
import { DomainError } from './errors';

/** A client company (account) of the organization. Stream: `clientCompany-<id>`. */
export const clientCompanyStream = (clientId: string) => `clientCompany-${clientId}`;

export type ClientCompanyEvent = {
  type: 'ClientCompanyRegistered';
  data: { clientId: string; name: string; email: string | null; website: string | null };
};

export type ClientCompanyCommand = {
  type: 'RegisterClientCompany';
  clientId: string;
  name: string;
  email?: string | null;
  website?: string | null;
};

export interface ClientCompanyState {
  registered: boolean;
  clientId: string | null;
  name: string | null;
}

export const clientCompany: Decider<ClientCompanyState, ClientCompanyCommand, ClientCompanyEvent> = {
  initialState: () => ({ registered: false, clientId: null, name: null }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterClientCompany': {
        if (state.registered) {
          throw new DomainError('conflict', 'client-already-registered', 'This client company already exists.');
        }
        const name = command.name.trim();
        if (!name) throw new DomainError('unprocessable', 'name-required', 'A client company needs a name.');
        return [
          {
            type: 'ClientCompanyRegistered',
            data: {
              clientId: command.clientId,
              name,
              email: command.email?.trim() || null,
              website: command.website?.trim() || null,
            },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ClientCompanyRegistered':
        return { registered: true, clientId: event.data.clientId, name: event.data.name };
      default:
        return state;
    }
  },
};
