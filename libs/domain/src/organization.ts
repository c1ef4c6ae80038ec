import { Decider } from './decider';
import { DomainError } from './errors';
import { isKnownTimeZone } from './locale';

/** An organization: the tenant. Every other stream belongs to exactly one. Stream: `organization-<id>`. */
export const organizationStream = (organizationId: string) => `organization-${organizationId}`;

export type OrganizationEvent = {
  type: 'OrganizationCreated';
  data: { organizationId: string; name: string; timeZone: string };
};

export type OrganizationCommand = { type: 'CreateOrganization'; organizationId: string; name: string; timeZone?: string | null };

export interface OrganizationState {
  exists: boolean;
  name: string | null;
  timeZone: string;
}

export const organization: Decider<OrganizationState, OrganizationCommand, OrganizationEvent> = {
  initialState: () => ({ exists: false, name: null, timeZone: 'UTC' }),

  decide(command, state) {
    switch (command.type) {
      case 'CreateOrganization': {
        if (state.exists) throw new DomainError('conflict', 'organization-exists', 'This organization already exists.');
        const name = command.name.trim();
        if (!name) throw new DomainError('unprocessable', 'name-required', 'An organization needs a name.');
        const timeZone = command.timeZone ?? 'UTC';
        if (!isKnownTimeZone(timeZone)) {
          throw new DomainError('unprocessable', 'unknown-time-zone', `"${timeZone}" is not an IANA time zone.`, { field: 'timeZone' });
        }
        return [{ type: 'OrganizationCreated', data: { organizationId: command.organizationId, name, timeZone } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'OrganizationCreated':
        return { exists: true, name: event.data.name, timeZone: event.data.timeZone };
      default:
        return state;
    }
  },
};
