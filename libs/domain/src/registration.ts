import { Decider, OfType } from './decider';
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
      case 'RequestRegistration': return requestRegistration(command, state);
      case 'AssignRegistrationClient': return assignRegistrationClient(command, state);
      case 'AssignRegistrationContact': return assignRegistrationContact(command, state);
      case 'ApproveRegistration': return approveRegistration(command, state);
      case 'RejectRegistration': return rejectRegistration(command, state);
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

// ---------------------------------------------------------------------------------------------
// Guards: what a command handler checks before it writes anything.
// ---------------------------------------------------------------------------------------------

/**
 * A registration request as it is recorded (email trimmed and lower case, names trimmed), or
 * 422 `invalid-registration` naming each bad field. Bad input is refused alike on every
 * portal, before the portal is even looked up.
 */
export function assertValidRegistrationRequest(request: { email: string; name: string; companyName: string }): { email: string; name: string; companyName: string } {
  const email = normalizeRegistrationEmail(request.email ?? '');
  const name = (request.name ?? '').trim();
  const companyName = (request.companyName ?? '').trim();
  const errors: { field: string; message: string }[] = [];
  if (!EMAIL.test(email) || email.length > REGISTRATION_EMAIL_MAX_LENGTH) errors.push({ field: 'email', message: 'email must be an email address' });
  if (!name || name.length > REGISTRATION_NAME_MAX_LENGTH) errors.push({ field: 'name', message: `name has 1 to ${REGISTRATION_NAME_MAX_LENGTH} characters` });
  if (!companyName || companyName.length > REGISTRATION_NAME_MAX_LENGTH) {
    errors.push({ field: 'companyName', message: `companyName has 1 to ${REGISTRATION_NAME_MAX_LENGTH} characters` });
  }
  if (errors.length) throw new DomainError('unprocessable', 'invalid-registration', errors.map((e) => e.message).join('; '), { errors });
  return { email, name, companyName };
}

/** A request staff may still decide: it exists (404 otherwise) and is neither approved nor rejected (409). Answers its id. */
export function assertRegistrationPending(state: RegistrationState): string {
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

// ---------------------------------------------------------------------------------------------
// One decide function per command, each named after it, with the events it decides.
// ---------------------------------------------------------------------------------------------

type Command<Type extends RegistrationCommand['type']> = OfType<RegistrationCommand, Type>;

/** RequestRegistration -> RegistrationRequested (nothing when the same request is pending) */
function requestRegistration(command: Command<'RequestRegistration'>, state: RegistrationState): RegistrationEvent[] {
  const { email, name, companyName } = assertValidRegistrationRequest(command);
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

/** AssignRegistrationClient -> RegistrationClientAssigned */
function assignRegistrationClient(command: Command<'AssignRegistrationClient'>, state: RegistrationState): RegistrationEvent[] {
  const registrationId = assertRegistrationPending(state);
  if (state.clientId === command.clientId) return [];
  if (state.clientId !== null) {
    throw new DomainError('conflict', 'registration-approval-in-progress', 'The approval of this request already started with another client company: approve again without clientId, or with that one.', {
      clientId: state.clientId,
    });
  }
  return [{ type: 'RegistrationClientAssigned', data: { registrationId, clientId: command.clientId, created: command.created } }];
}

/** AssignRegistrationContact -> RegistrationContactAssigned */
function assignRegistrationContact(command: Command<'AssignRegistrationContact'>, state: RegistrationState): RegistrationEvent[] {
  const registrationId = assertRegistrationPending(state);
  if (state.clientId === null) {
    throw new DomainError('conflict', 'registration-client-missing', 'The request has no client company yet: assign one first.');
  }
  if (state.contactId === command.contactId) return [];
  if (state.contactId !== null) {
    throw new DomainError('conflict', 'registration-approval-in-progress', 'The approval of this request already added another contact.', { contactId: state.contactId });
  }
  return [{ type: 'RegistrationContactAssigned', data: { registrationId, contactId: command.contactId } }];
}

/** ApproveRegistration -> RegistrationApproved (once its company and contact exist) */
function approveRegistration(command: Command<'ApproveRegistration'>, state: RegistrationState): RegistrationEvent[] {
  const registrationId = assertRegistrationPending(state);
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

/** RejectRegistration -> RegistrationRejected */
function rejectRegistration(command: Command<'RejectRegistration'>, state: RegistrationState): RegistrationEvent[] {
  const registrationId = assertRegistrationPending(state);
  const reason = command.reason?.trim() || null;
  if (reason !== null && reason.length > REGISTRATION_REASON_MAX_LENGTH) {
    throw new DomainError('unprocessable', 'invalid-reason', `A reason has at most ${REGISTRATION_REASON_MAX_LENGTH} characters.`, { field: 'reason' });
  }
  return [{ type: 'RegistrationRejected', data: { registrationId, portalId: state.portalId!, reason, decidedAt: command.decidedAt } }];
}
