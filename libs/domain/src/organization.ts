import { Decider } from './decider';
import { DomainError } from './errors';
import { isKnownLanguage, isKnownTimeZone } from './locale';

/** An organization: the tenant. Every other stream belongs to exactly one. Stream: `organization-<id>`. */
export const organizationStream = (organizationId: string) => `organization-${organizationId}`;

/** Which documents a portal user sees: those of every contact of its company, or only its own. */
export type PortalDocumentVisibility = 'company' | 'own';

export interface OrganizationSettings {
  portalDocumentVisibility: PortalDocumentVisibility;
  /** Where staff notifications (client actions) are emailed; null: no email. */
  notificationEmail: string | null;
  /** The language those emails are written in (BCP 47; built-in: en, ja, pt-BR, fr); null: English. */
  notificationLanguage: string | null;
}

export const DEFAULT_ORGANIZATION_SETTINGS: OrganizationSettings = { portalDocumentVisibility: 'company', notificationEmail: null, notificationLanguage: null };

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type OrganizationEvent =
  | { type: 'OrganizationCreated'; data: { organizationId: string; name: string; timeZone: string } }
  | { type: 'OrganizationSettingsChanged'; data: { organizationId: string; changes: Partial<OrganizationSettings> } };

export type OrganizationCommand =
  | { type: 'CreateOrganization'; organizationId: string; name: string; timeZone?: string | null }
  | { type: 'ChangeOrganizationSettings'; changes: Partial<OrganizationSettings> };

export interface OrganizationState {
  exists: boolean;
  organizationId: string | null;
  name: string | null;
  timeZone: string;
  settings: OrganizationSettings;
}

export const organization: Decider<OrganizationState, OrganizationCommand, OrganizationEvent> = {
  initialState: () => ({ exists: false, organizationId: null, name: null, timeZone: 'UTC', settings: { ...DEFAULT_ORGANIZATION_SETTINGS } }),

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
      case 'ChangeOrganizationSettings': {
        if (!state.exists) throw new DomainError('not-found', 'organization-not-found', 'No such organization.');
        const changes: Partial<OrganizationSettings> = {};
        const visibility = command.changes.portalDocumentVisibility;
        if (visibility !== undefined && visibility !== 'company' && visibility !== 'own') {
          throw new DomainError('unprocessable', 'invalid-setting', 'portalDocumentVisibility is company or own.', { field: 'portalDocumentVisibility' });
        }
        if (visibility !== undefined && visibility !== state.settings.portalDocumentVisibility) changes.portalDocumentVisibility = visibility;
        if (command.changes.notificationEmail !== undefined) {
          const raw = command.changes.notificationEmail;
          const email = raw === null ? null : typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
          if (email === undefined || (email !== null && (email.length > 254 || !EMAIL_PATTERN.test(email)))) {
            throw new DomainError('unprocessable', 'invalid-setting', 'notificationEmail is an email address, or null to send no email.', { field: 'notificationEmail' });
          }
          if (email !== state.settings.notificationEmail) changes.notificationEmail = email;
        }
        if (command.changes.notificationLanguage !== undefined) {
          const language = command.changes.notificationLanguage;
          if (language !== null && (typeof language !== 'string' || !isKnownLanguage(language))) {
            throw new DomainError('unprocessable', 'invalid-setting', 'notificationLanguage is a BCP 47 language tag (en, ja, pt-BR, fr, ...), or null for English.', { field: 'notificationLanguage' });
          }
          if (language !== (state.settings.notificationLanguage ?? null)) changes.notificationLanguage = language;
        }
        if (Object.keys(changes).length === 0) return [];
        return [{ type: 'OrganizationSettingsChanged', data: { organizationId: state.organizationId!, changes } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'OrganizationCreated':
        return { ...state, exists: true, organizationId: event.data.organizationId, name: event.data.name, timeZone: event.data.timeZone };
      case 'OrganizationSettingsChanged':
        return { ...state, settings: { ...state.settings, ...event.data.changes } };
      default:
        return state;
    }
  },
};
