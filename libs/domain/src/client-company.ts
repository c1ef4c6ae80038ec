import { Decider } from './decider';
import { DomainError } from './errors';

/** A client company (account) of the organization. Stream: `clientCompany-<id>`. */
export const clientCompanyStream = (clientId: string) => `clientCompany-${clientId}`;

export interface PostalAddress {
  line1: string | null;
  line2: string | null;
  city: string | null;
  postalCode: string | null;
  region: string | null;
  country: string | null;
}

export interface ClientCompanyDetails {
  name: string;
  email: string | null;
  website: string | null;
  address: PostalAddress | null;
}

export type ClientCompanyEvent =
  | {
      type: 'ClientCompanyRegistered';
      data: { clientId: string; name: string; email: string | null; website: string | null; address?: PostalAddress | null };
    }
  | { type: 'ClientCompanyUpdated'; data: { clientId: string; changes: Partial<ClientCompanyDetails> } }
  | { type: 'ClientCompanyArchived'; data: { clientId: string; name: string } };

export type ClientCompanyCommand =
  | {
      type: 'RegisterClientCompany';
      clientId: string;
      name: string;
      email?: string | null;
      website?: string | null;
      address?: Partial<PostalAddress> | null;
    }
  | { type: 'UpdateClientCompany'; changes: { name?: string; email?: string | null; website?: string | null; address?: Partial<PostalAddress> | null } }
  | { type: 'ArchiveClientCompany' };

export interface ClientCompanyState {
  registered: boolean;
  archived: boolean;
  clientId: string | null;
  name: string | null;
  email?: string | null;
  website?: string | null;
  address?: PostalAddress | null;
}

export const clientCompany: Decider<ClientCompanyState, ClientCompanyCommand, ClientCompanyEvent> = {
  initialState: () => ({ registered: false, archived: false, clientId: null, name: null }),

  decide(command, state) {
    switch (command.type) {
      case 'RegisterClientCompany': {
        if (state.registered) {
          throw new DomainError('conflict', 'client-already-registered', 'This client company already exists.');
        }
        const name = requiredName(command.name);
        const address = normalizeAddress(command.address);
        return [
          {
            type: 'ClientCompanyRegistered',
            data: {
              clientId: command.clientId,
              name,
              email: command.email?.trim() || null,
              website: command.website?.trim() || null,
              ...(address ? { address } : {}),
            },
          },
        ];
      }
      case 'UpdateClientCompany': {
        requireActive(state);
        const next: Partial<ClientCompanyDetails> = {};
        const { changes } = command;
        if (changes.name !== undefined) next.name = requiredName(changes.name);
        if (changes.email !== undefined) next.email = changes.email?.trim() || null;
        if (changes.website !== undefined) next.website = changes.website?.trim() || null;
        if (changes.address !== undefined) next.address = normalizeAddress(changes.address);
        const effective = Object.fromEntries(
          Object.entries(next).filter(([key, value]) => JSON.stringify(state[key as keyof ClientCompanyState] ?? null) !== JSON.stringify(value)),
        );
        if (Object.keys(effective).length === 0) return [];
        return [{ type: 'ClientCompanyUpdated', data: { clientId: state.clientId!, changes: effective } }];
      }
      case 'ArchiveClientCompany': {
        requireActive(state);
        return [{ type: 'ClientCompanyArchived', data: { clientId: state.clientId!, name: state.name! } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ClientCompanyRegistered':
        return {
          registered: true,
          archived: false,
          clientId: event.data.clientId,
          name: event.data.name,
          email: event.data.email,
          website: event.data.website,
          address: event.data.address ?? null,
        };
      case 'ClientCompanyUpdated':
        return { ...state, ...event.data.changes, name: event.data.changes.name ?? state.name };
      case 'ClientCompanyArchived':
        return { ...state, archived: true };
      default:
        return state;
    }
  },
};

function requireActive(state: ClientCompanyState): void {
  if (!state.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
  if (state.archived) throw new DomainError('conflict', 'client-archived', 'This client company is archived.');
}

function requiredName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new DomainError('unprocessable', 'name-required', 'A client company needs a name.');
  return trimmed;
}

function normalizeAddress(address: Partial<PostalAddress> | null | undefined): PostalAddress | null {
  if (!address) return null;
  const clean = (value: string | null | undefined) => value?.trim() || null;
  const normalized: PostalAddress = {
    line1: clean(address.line1),
    line2: clean(address.line2),
    city: clean(address.city),
    postalCode: clean(address.postalCode),
    region: clean(address.region),
    country: clean(address.country)?.toUpperCase() ?? null,
  };
  return Object.values(normalized).some((v) => v !== null) ? normalized : null;
}
