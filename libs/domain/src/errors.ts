/**
 * Domain errors: a rule was broken. Each kind maps to one HTTP status at the edge; `code` is
 * stable and becomes the problem `type`, so clients can branch on it.
 */
export type DomainErrorKind =
  | 'not-found' // the thing the command is about does not exist
  | 'conflict' // the command does not fit the current state
  | 'unprocessable' // the command is well-formed but cannot be carried out as given
  | 'too-soon' // allowed later (retryAfterSeconds)
  | 'gone' // was valid once, no longer (used, superseded or expired)
  | 'invalid'; // malformed or unknown reference supplied by the caller

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class TooSoonError extends DomainError {
  constructor(code: string, message: string, readonly retryAfterSeconds: number) {
    super('too-soon', code, message, { retryAfterSeconds });
  }
}
