import { Decider } from './decider';
import { DomainError } from './errors';
import { nameBasedUuid } from './ids';

/**
 * Self-registration: a person asks for access to a portal that allows it; staff approve (the
 * person becomes a contact of a client company and is invited into the portal) or reject.
 *
 *   (none) --request--> Pending --approve--> Approved
 *                       Pending --reject---> Rejected
 *
 * Approval takes several steps on other streams (a company, a contact, an invitation), each
 * recorded here as it completes (`RegistrationClientAssigned`, `RegistrationContactAssigned`),
 * so that an approval interrupted halfway is finished by approving again, without making a
 * second company or contact for the steps already recorded.
 *
 * Stream: `registration-<registrationId>`. The id is derived from the portal and the
 * normalized email, so asking again while a request is pending lands on the same stream and
 * writes nothing; once that request is decided, the next one takes the id derived from it
 * (`registrationId(portalId, email, previousId)`), a chain with no lookup table.
 */
export type RegistrationStatus = 'Pending' | 'Approved' | 'Rejected';

export const registrationStream = (registrationId: string) => `registration-${registrationId}`;

export const REGISTRATION_NAME_MAX_LENGTH = 200;
export const REGISTRATION_EMAIL_MAX_LENGTH = 254;
export const REGISTRATION_REASON_MAX_LENGTH = 500;

/** The email as registrations compare it: trimmed, lower case. */
export function normalizeRegistrationEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The id of a registration request of this email on this portal: the first one, or the one
 * that follows the decided request `previousId`.
 */
export function registrationId(portalId: string, email: string, previousId?: string | null): string {
  const base = `registration:${portalId}:${normalizeRegistrationEmail(email)}`;
  return nameBasedUuid(previousId ? `${base}:after:${previousId}` : base);
}

export type RegistrationEvent =
  | {
      type: 'RegistrationRequested';
      data: { registrationId: string; portalId: string; email: string; name: string; companyName: string; requestedAt: string };
    }
  | {
      type: 'RegistrationClientAssigned';
      /** `created`: the company was made from the request; false: staff chose an existing one. */
      data: { registrationId: string; clientId: string; created: boolean };
    }
  | { type: 'RegistrationContactAssigned'; data: { registrationId: string; contactId: string } }
  | {
      type: 'RegistrationApproved';
      data: { registrationId: string; portalId: string; clientId: string; contactId: string; userTypeId: string | null; decidedAt: string };
    }
  | { type: 'RegistrationRejected'; data: { registrationId: string; portalId: string; reason: string | null; decidedAt: string } };

export type RegistrationCommand =
  | { type: 'RequestRegistration'; registrationId: string; portalId: string; email: string; name: string; companyName: string; requestedAt: string }
  | { type: 'AssignRegistrationClient'; clientId: string; created: boolean }
  | { type: 'AssignRegistrationContact'; contactId: string }
  | { type: 'ApproveRegistration'; userTypeId?: string | null; decidedAt: string }
  | { type: 'RejectRegistration'; reason?: string | null; decidedAt: string };

export interface RegistrationState {
  status: RegistrationStatus | null;
  registrationId: string | null;
  portalId: string | null;
  email: string | null;
  name: string | null;
  companyName: string | null;
  requestedAt: string | null;
  /** Set by the first step of an approval (made or chosen); kept when the approval is retried. */
  clientId: string | null;
  clientCreated: boolean;
  contactId: string | null;
  userTypeId: string | null;
  decidedAt: string | null;
  reason: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const registration: Decider<RegistrationState, RegistrationCommand, RegistrationEvent> = {
  initialState: () => ({
    status: null,
    registrationId: null,
    portalId: null,
    email: null,
    name: null,
    companyName: null,
    requestedAt: null,
    clientId: null,
    clientCreated: false,
    contactId: null,
    userTypeId: null,
    decidedAt: null,
    reason: null,
  }),

  decide(command, state) {
    switch (command.type) {
      case 'RequestRegistration': {
        const email = normalizeRegistrationEmail(command.email ?? '');
        const name = (command.name ?? '').trim();
        const companyName = (command.companyName ?? '').trim();
        const errors: { field: string; message: string }[] = [];
        if (!EMAIL.test(email) || email.length > REGISTRATION_EMAIL_MAX_LENGTH) errors.push({ field: 'email', message: 'email must be an email address' });
        if (!name || name.length > REGISTRATION_NAME_MAX_LENGTH) errors.push({ field: 'name', message: `name has 1 to ${REGISTRATION_NAME_MAX_LENGTH} characters` });
        if (!companyName || companyName.length > REGISTRATION_NAME_MAX_LENGTH) {
          errors.push({ field: 'companyName', message: `companyName has 1 to ${REGISTRATION_NAME_MAX_LENGTH} characters` });
        }
        if (errors.length) throw new DomainError('unprocessable', 'invalid-registration', errors.map((e) => e.message).join('; '), { errors });
        // The same person asking again while the request is pending: nothing new.
        if (state.status === 'Pending') return [];
        if (state.status !== null) {
          throw new DomainError('conflict', 'registration-decided', `This registration request was already ${state.status.toLowerCase()}.`, { currentStatus: state.status });
        }
        return [
          {
            type: 'RegistrationRequested',
            data: { registrationId: command.registrationId, portalId: command.portalId, email, name, companyName, requestedAt: command.requestedAt },
          },
        ];
      }

      case 'AssignRegistrationClient': {
        const registrationId = requirePending(state);
        if (state.clientId === command.clientId) return [];
        if (state.clientId !== null) {
          throw new DomainError('conflict', 'registration-approval-in-progress', 'The approval of this request already started with another client company: approve again without clientId, or with that one.', {
            clientId: state.clientId,
          });
        }
        return [{ type: 'RegistrationClientAssigned', data: { registrationId, clientId: command.clientId, created: command.created } }];
      }

      case 'AssignRegistrationContact': {
        const registrationId = requirePending(state);
        if (state.clientId === null) {
          throw new DomainError('conflict', 'registration-client-missing', 'The request has no client company yet: assign one first.');
        }
        if (state.contactId === command.contactId) return [];
        if (state.contactId !== null) {
          throw new DomainError('conflict', 'registration-approval-in-progress', 'The approval of this request already added another contact.', { contactId: state.contactId });
        }
        return [{ type: 'RegistrationContactAssigned', data: { registrationId, contactId: command.contactId } }];
      }

      case 'ApproveRegistration': {
        const registrationId = requirePending(state);
        if (state.clientId === null || state.contactId === null) {
          throw new DomainError('conflict', 'registration-approval-incomplete', 'A request is approved once its client company and contact exist.');
        }
        return [
          {
            type: 'RegistrationApproved',
            data: {
              registrationId,
              portalId: state.portalId!,
              clientId: state.clientId,
              contactId: state.contactId,
              userTypeId: command.userTypeId ?? null,
              decidedAt: command.decidedAt,
            },
          },
        ];
      }

      case 'RejectRegistration': {
        const registrationId = requirePending(state);
        const reason = command.reason?.trim() || null;
        if (reason !== null && reason.length > REGISTRATION_REASON_MAX_LENGTH) {
          throw new DomainError('unprocessable', 'invalid-reason', `A reason has at most ${REGISTRATION_REASON_MAX_LENGTH} characters.`, { field: 'reason' });
        }
        return [{ type: 'RegistrationRejected', data: { registrationId, portalId: state.portalId!, reason, decidedAt: command.decidedAt } }];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'RegistrationRequested':
        return {
          ...state,
          status: 'Pending',
          registrationId: event.data.registrationId,
          portalId: event.data.portalId,
          email: event.data.email,
          name: event.data.name,
          companyName: event.data.companyName,
          requestedAt: event.data.requestedAt,
        };
      case 'RegistrationClientAssigned':
        return { ...state, clientId: event.data.clientId, clientCreated: event.data.created };
      case 'RegistrationContactAssigned':
        return { ...state, contactId: event.data.contactId };
      case 'RegistrationApproved':
        return {
          ...state,
          status: 'Approved',
          clientId: event.data.clientId,
          contactId: event.data.contactId,
          userTypeId: event.data.userTypeId,
          decidedAt: event.data.decidedAt,
        };
      case 'RegistrationRejected':
        return { ...state, status: 'Rejected', reason: event.data.reason, decidedAt: event.data.decidedAt };
      default:
        return state;
    }
  },
};

function requirePending(state: RegistrationState): string {
  if (!state.status || !state.registrationId) {
    throw new DomainError('not-found', 'registration-not-found', 'No such registration request.');
  }
  if (state.status === 'Approved') {
    throw new DomainError('conflict', 'registration-already-approved', 'This registration request is already approved.', { currentStatus: state.status });
  }
  if (state.status === 'Rejected') {
    throw new DomainError('conflict', 'registration-already-rejected', 'This registration request was rejected.', { currentStatus: state.status });
  }
  return state.registrationId;
}
