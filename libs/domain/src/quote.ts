import { Decider } from './decider';
import { DocumentHeader, DocumentHeaderInput, isPastEndOfDay, requireDate, requireHeader } from './document-header';
import { decideDocumentMove, DocumentMovedToClientEvent, documentStream, MoveDocumentToClientCommand } from './documents';
import { DomainError } from './errors';
import { computeAmounts, DocumentAmounts, DocumentAmountsInput } from './money';

/**
 * A quote shared with a client company (stream `quote-<id>`). The organization keeps its
 * ledger elsewhere; the portal keeps what the client needs to decide: number, dates, lines,
 * totals in integer minor units, and a link. The client accepts it (until the end of its
 * last valid day in the organization's time zone) or declines it with a reason; either is
 * final. Staff may withdraw a quote still pending. In any status, a quote may be moved to
 * another client company (MoveDocumentToClient): its decision, if any, stays as it was.
 */
export const quoteStream = (quoteId: string) => documentStream('quote', quoteId);

export type QuoteStatus = 'pending' | 'accepted' | 'declined' | 'withdrawn';

export type QuoteEvent =
  | { type: 'QuoteShared'; data: { quoteId: string; validUntil: string } & DocumentHeader & DocumentAmounts }
  | { type: 'QuoteAccepted'; data: { quoteId: string; clientId: string; contactId: string | null } }
  | { type: 'QuoteDeclined'; data: { quoteId: string; clientId: string; contactId: string | null; reason: string } }
  | { type: 'QuoteWithdrawn'; data: { quoteId: string; clientId: string; reason: string | null } }
  | DocumentMovedToClientEvent;

export type QuoteCommand =
  | ({ type: 'ShareQuote'; quoteId: string; validUntil: string } & DocumentHeaderInput & DocumentAmountsInput)
  /** `now` and the organization's time zone decide whether the quote has expired. */
  | { type: 'AcceptQuote'; contactId: string | null; now: string; timeZone: string }
  | { type: 'DeclineQuote'; contactId: string | null; reason: string }
  | { type: 'WithdrawQuote'; reason?: string | null }
  | MoveDocumentToClientCommand;

export interface QuoteState {
  exists: boolean;
  quote: ({ quoteId: string; validUntil: string } & DocumentHeader & DocumentAmounts) | null;
  status: QuoteStatus;
  declineReason: string | null;
}

export const QUOTE_REASON_MAX_LENGTH = 1000;

/** Has the quote lapsed? Valid through its last day, to the end of that day in the organization's time zone. */
export function isQuoteExpired(validUntil: string, now: string | Date, timeZone: string): boolean {
  return isPastEndOfDay(validUntil, now, timeZone);
}

export const quote: Decider<QuoteState, QuoteCommand, QuoteEvent> = {
  initialState: () => ({ exists: false, quote: null, status: 'pending', declineReason: null }),

  decide(command, state) {
    switch (command.type) {
      case 'ShareQuote': {
        if (state.exists) throw new DomainError('conflict', 'quote-exists', 'This quote was already shared.');
        const header = requireHeader(command, (number) => `Quote ${number}`);
        const validUntil = requireDate(command.validUntil, 'validUntil');
        if (validUntil < header.issueDate) {
          throw new DomainError('unprocessable', 'invalid-date', 'validUntil cannot be before issueDate.', { errors: [{ field: 'validUntil', message: 'on or after issueDate' }] });
        }
        const amounts = computeAmounts(command);
        return [{ type: 'QuoteShared', data: { quoteId: command.quoteId, ...header, validUntil, ...amounts } }];
      }
      case 'AcceptQuote': {
        const shared = requirePending(state);
        if (isPastEndOfDay(shared.validUntil, command.now, command.timeZone)) {
          throw new DomainError('conflict', 'quote-expired', `This quote was valid until ${shared.validUntil} (${command.timeZone}); it can no longer be accepted.`, {
            validUntil: shared.validUntil,
            timeZone: command.timeZone,
          });
        }
        return [{ type: 'QuoteAccepted', data: { quoteId: shared.quoteId, clientId: shared.clientId, contactId: command.contactId } }];
      }
      case 'DeclineQuote': {
        const shared = requirePending(state);
        const reason = requireReason(command.reason);
        return [{ type: 'QuoteDeclined', data: { quoteId: shared.quoteId, clientId: shared.clientId, contactId: command.contactId, reason } }];
      }
      case 'WithdrawQuote': {
        const shared = requirePending(state);
        const reason = command.reason?.trim() ? command.reason.trim().slice(0, QUOTE_REASON_MAX_LENGTH) : null;
        return [{ type: 'QuoteWithdrawn', data: { quoteId: shared.quoteId, clientId: shared.clientId, reason } }];
      }
      case 'MoveDocumentToClient': {
        const shared = state.exists && state.quote ? state.quote : null;
        return decideDocumentMove('quote', shared && { documentId: shared.quoteId, clientId: shared.clientId, contactId: shared.contactId }, command, quoteNotFound);
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'QuoteShared':
        return { ...state, exists: true, quote: event.data, status: 'pending' };
      case 'QuoteAccepted':
        return { ...state, status: 'accepted' };
      case 'QuoteDeclined':
        return { ...state, status: 'declined', declineReason: event.data.reason };
      case 'QuoteWithdrawn':
        return { ...state, status: 'withdrawn' };
      case 'DocumentMovedToClient':
        return state.quote ? { ...state, quote: { ...state.quote, clientId: event.data.toClientId } } : state;
      default:
        return state;
    }
  },
};

function quoteNotFound(): DomainError {
  return new DomainError('not-found', 'quote-not-found', 'No such quote.');
}

function requirePending(state: QuoteState) {
  if (!state.exists || !state.quote) throw quoteNotFound();
  if (state.status === 'withdrawn') throw new DomainError('conflict', 'quote-withdrawn', 'This quote was withdrawn.', { status: state.status });
  if (state.status !== 'pending') {
    throw new DomainError('conflict', 'quote-decided', `This quote was already ${state.status}; that decision is final.`, { status: state.status });
  }
  return state.quote;
}

function requireReason(reason: string | null | undefined): string {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (!trimmed) throw new DomainError('unprocessable', 'reason-required', 'A reason is required.', { errors: [{ field: 'reason', message: 'required' }] });
  if (trimmed.length > QUOTE_REASON_MAX_LENGTH) {
    throw new DomainError('unprocessable', 'reason-too-long', `At most ${QUOTE_REASON_MAX_LENGTH} characters.`, { errors: [{ field: 'reason', message: `at most ${QUOTE_REASON_MAX_LENGTH} characters` }] });
  }
  return trimmed;
}
