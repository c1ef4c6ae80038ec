import { ApiExtension } from '@nestjs/swagger';

/**
 * Every problem type this service can answer: its status and, in one line, when. The OpenAPI
 * document is built from it (each operation lists the types it can answer, with an example
 * each), and a spec scans the source so that a code raised anywhere is in this list.
 * The `type` a client sees is `/problems/<code>`.
 */
export interface ProblemDefinition {
  status: number;
  when: string;
  /** The title the answer carries when it is not the status's usual one. */
  title?: string;
}

export const PROBLEM_CATALOG = {
  // --- Any route, from its shape (added to the document by the route's security, parameters, body and method)
  unauthorized: { status: 401, when: 'The Authorization header is missing, malformed, revoked or expired (an API key or a portal session, as the route says).' },
  forbidden: { status: 403, when: "The API key's role, or the portal user's type, does not allow this route." },
  'validation-failed': { status: 422, when: 'The body, query or path does not pass validation; `errors` names each field and what is wrong.', title: 'The request is not valid' },
  'bad-request': { status: 400, when: 'The request is malformed (a Content-Length that does not match the body, unparseable HTTP).' },
  'malformed-json': { status: 400, when: 'The request body is not valid JSON, or not valid UTF-8.', title: 'Bad request' },
  'nesting-too-deep': { status: 422, when: 'The JSON body nests deeper than 32 levels (refused before it is parsed).', title: 'Unprocessable content' },
  'bad-url': { status: 400, when: 'The URL is not valid (its percent-encoding).', title: 'Bad request' },
  'uri-too-long': { status: 414, when: 'A path segment of the URL is too long.' },
  'request-timeout': { status: 408, when: 'The whole request, headers and body, did not arrive within `REQUEST_TIMEOUT_SECONDS`.' },
  'request-header-too-large': { status: 431, when: 'The request line or headers are larger than 16 KiB (a long query string?).' },
  'position-beyond-head': { status: 422, when: '`minPosition` is beyond the head of the event log (`headPosition` says where it is): it names no write of this service.', title: 'Unprocessable content' },
  'payload-too-large': { status: 413, when: 'The request body is larger than 1 MiB.' },
  'unsupported-media-type': { status: 415, when: 'The body is not sent as `application/json` (or, for a CSV import, not as UTF-8 `text/csv`).' },
  'not-found': { status: 404, when: "The id in the path names nothing this caller may see: not a UUID, unknown, or another organization's." },
  'concurrency-conflict': { status: 409, when: 'The record was changed by someone else at the same time, again and again; retry the request.', title: 'Conflict' },
  'projection-lagging': { status: 503, when: 'The read models did not reach `minPosition` in time; retry after `Retry-After` seconds.', title: 'Service unavailable' },
  'invalid-cursor': { status: 400, when: 'The `cursor` is not a `nextCursor` this service issued.' },
  'invalid-idempotency-key': { status: 422, when: 'The `Idempotency-Key` header is not 1 to 200 visible ASCII characters.', title: 'Invalid Idempotency-Key' },
  'idempotency-key-in-use': { status: 409, when: 'A request with this `Idempotency-Key` is still being processed (perhaps by another instance); retry later.', title: 'Idempotency-Key in use' },
  'idempotency-key-reused': { status: 422, when: 'This `Idempotency-Key` was already used for a different request (another route or body).', title: 'Idempotency-Key reused' },
  'internal-error': { status: 500, when: 'An unexpected failure; nothing is said about it but that it happened (the log has the details).', title: 'Internal server error' },

  // --- Operations (readiness)
  'shutting-down': { status: 503, when: 'This instance is shutting down (it received SIGTERM or SIGINT) and takes no new work; send requests to another instance.', title: 'Service unavailable' },
  'event-store-unreachable': { status: 503, when: 'The event store does not answer (within 2 s).', title: 'Service unavailable' },
  'read-store-unreachable': { status: 503, when: 'The read store does not answer (within 2 s).', title: 'Service unavailable' },
  'projections-far-behind': { status: 503, when: 'A projection is more than `READY_MAX_PROJECTION_LAG` events behind the log (`projections` names them): its read models would answer with old data.', title: 'Service unavailable' },

  // --- Sign-in, invitations, password reset, sessions
  'invalid-credentials': { status: 401, when: 'The email or the password is wrong, or the account cannot sign in.', title: 'Unauthorized' },
  'too-many-attempts': { status: 429, when: 'Too many failed attempts for this account or client address within 15 minutes; retry after `Retry-After` seconds.', title: 'Too many requests' },
  'invalid-token': { status: 400, when: 'The invitation or password reset token is not one this service issued.' },
  'invitation-not-valid': { status: 410, when: 'The token was valid once but no longer is: already used, replaced by a newer one, expired, or the access changed state (`reason` says which).' },
  'weak-password': { status: 422, when: 'The password is too short, too common or otherwise too weak.', title: 'Unprocessable content' },

  // --- Organizations and API keys
  'organization-exists': { status: 409, when: 'An organization with this id already exists.' },
  'organization-not-found': { status: 404, when: "The caller's organization does not exist." },
  'unknown-time-zone': { status: 422, when: '`timeZone` is not an IANA time zone.' },
  'invalid-setting': { status: 422, when: 'A setting has a value it cannot take (`field` names it).' },
  'api-key-exists': { status: 409, when: 'An API key with this id already exists.' },
  'api-key-not-found': { status: 404, when: "No API key with this id in the caller's organization." },
  'api-key-revoked': { status: 409, when: 'The API key is already revoked.' },
  'bootstrap-key': { status: 409, when: 'The bootstrap key is managed by the `API_KEY` setting: rotate it there, not through the API.' },
  'unknown-role': { status: 422, when: 'The role is not one of admin, agent, auditor, reporter.' },

  // --- Directory
  'client-already-registered': { status: 409, when: 'A client company with this id already exists.' },
  'client-not-found': { status: 404, when: "The client company (in the path or the body) does not exist in the caller's organization, or is not one of the portal user's companies." },
  'client-archived': { status: 409, when: 'The client company is archived: it takes no more changes, contacts or documents.' },
  'client-has-no-contacts': { status: 422, when: 'The client company has no contact of its own to invite.' },
  'contact-already-exists': { status: 409, when: 'A contact with this id already exists.' },
  'contact-not-found': { status: 404, when: "The contact (in the path or the body) does not exist in the caller's organization." },
  'cannot-dissociate-primary-client': { status: 409, when: "The company is the contact's primary company; change the primary company first." },
  'not-associated': { status: 404, when: 'The contact is not associated with this client company.' },
  'name-required': { status: 422, when: 'The name is empty (or only spaces).' },
  'name-too-long': { status: 422, when: 'The name is longer than allowed (`field` names it).' },

  // --- Imports
  'empty-file': { status: 422, when: 'The CSV body is empty, or holds only spaces.', title: 'Empty file' },
  'no-rows': { status: 422, when: 'The CSV file has a header row but no data rows.', title: 'No rows' },
  'invalid-utf8': { status: 422, when: 'The CSV file is not valid UTF-8 (`line` says where).', title: 'The file is not valid CSV' },
  'malformed-csv': { status: 422, when: 'The CSV file cannot be parsed, e.g. an unclosed quote (`line` says where).', title: 'The file is not valid CSV' },
  'invalid-csv-header': { status: 422, when: 'The header row lacks a required column, repeats one or names an unknown one (`errors` lists them).', title: 'The header row is not valid' },
  'too-many-rows': { status: 413, when: 'The CSV file has more than 100,000 data rows; split it.', title: 'Payload too large' },
  'too-many-imports': { status: 429, when: 'Too many imports are waiting or running; retry after `Retry-After` seconds.', title: 'Too many requests' },

  // --- Portals, user types, templates
  'portal-not-found': { status: 404, when: "The portal (in the path, the query or the body) does not exist in the caller's organization." },
  'portal-exists': { status: 409, when: 'A portal with this id already exists.' },
  'portal-limit-reached': { status: 409, when: 'The organization already has `MAX_PORTALS` portals.' },
  'portal-user-limit-reached': { status: 409, when: 'The portal already has `MAX_USERS_PER_PORTAL` users: revoke one before inviting another.' },
  'slug-taken': { status: 409, when: 'Another portal already uses this slug.' },
  'invalid-slug': { status: 422, when: 'The slug is too short or too long, has other characters than a-z, digits and single inner hyphens, or is reserved.' },
  'unknown-language': { status: 422, when: 'The language is not a known BCP 47 tag (en, ja, pt-BR, fr, ...).' },
  'invalid-template': { status: 422, when: 'The template subject or body is empty or too long, or the subject spans lines (`errors` lists them).' },
  'malformed-placeholder': { status: 422, when: 'A template has an unclosed or nested `{{` placeholder.' },
  'unknown-placeholder': { status: 422, when: 'A template uses a placeholder that does not exist (`allowed` lists the known ones).' },
  'accept-url-required': { status: 422, when: 'The template body lacks `{{acceptUrl}}`, the link the invited person accepts with.' },
  'template-not-found': { status: 404, when: 'The portal has no invitation template in this language.' },
  'user-type-exists': { status: 409, when: 'A user type with this id already exists.' },
  'user-type-name-taken': { status: 409, when: 'The portal already has a user type with this name.' },
  'user-type-limit-reached': { status: 409, when: 'The portal already has `MAX_USER_TYPES_PER_PORTAL` user types.' },
  'user-type-not-found': { status: 404, when: 'The portal has no user type with this id.' },
  'unknown-user-type': { status: 422, when: 'The `userTypeId` given is not a user type of the portal.' },
  'unknown-module': { status: 422, when: 'A module is not one of shifts, timesheets, quotes, invoices, projects, documents.' },
  'unknown-action': { status: 422, when: 'An action is not one of view, create, edit, delete, approve.' },
  'permission-needs-view': { status: 422, when: 'A module allows creating, editing, deleting or approving without allowing viewing.' },

  // --- Portal access
  'portal-access-not-found': { status: 404, when: 'The contact has no access to this portal.' },
  'portal-id-mismatch': { status: 422, when: '`portalId` differs between the query string and the body.' },
  'already-invited': { status: 409, when: "The contact's access to this portal is already Invited or Active." },
  'portal-access-disabled': { status: 409, when: 'The access is Disabled: enable it instead of inviting again.' },
  'contact-has-no-email': { status: 422, when: 'The contact has no email address, so it cannot be invited.' },
  'contact-has-no-active-client': { status: 409, when: 'Every client company of the contact is archived: it cannot be invited.' },
  'invalid-language': { status: 422, when: 'The invitation `language` is not a known language tag.' },
  'no-active-client': { status: 422, when: 'An access must act for at least one company; revoke it instead.' },
  'access-revoked': { status: 409, when: 'The access is revoked: invite the contact again instead.' },
  'not-invited': { status: 409, when: 'Only a pending invitation (status Invited) can be re-sent.' },
  'resend-cooldown': { status: 429, when: 'The invitation was sent too recently (`INVITE_RESEND_COOLDOWN_SECONDS`); retry after `Retry-After` seconds.', title: 'Too many requests' },
  'cannot-disable': { status: 409, when: 'Only Invited or Active access can be disabled.' },
  'not-disabled': { status: 409, when: 'Only Disabled access can be enabled.' },
  'already-revoked': { status: 409, when: 'The access is already revoked.' },
  'access-not-active': { status: 409, when: 'The portal access is not Active (a portal user acts only through an Active access).' },
  'invalid-preference': { status: 422, when: 'A preference has a value it cannot take: unknown language, time format, time zone or country (`field` names it).' },
  'projections-behind': { status: 503, when: 'The directory read model is catching up; retry after `Retry-After` seconds.', title: 'Service unavailable' },

  // --- Self-registration
  'invalid-registration': { status: 422, when: 'The registration request is not valid (`errors` names each field).' },
  'registration-not-found': { status: 404, when: "No registration request with this id in the caller's organization." },
  'registration-decided': { status: 409, when: 'The registration request was already approved or rejected.' },
  'registration-already-approved': { status: 409, when: 'The registration request is already approved.' },
  'registration-already-rejected': { status: 409, when: 'The registration request was rejected.' },
  'registration-approval-in-progress': { status: 409, when: 'The approval already started with another client company or contact: approve again without `clientId`, or with that one.' },
  'registration-client-missing': { status: 409, when: 'The request has no client company yet: assign one first.' },
  'registration-approval-incomplete': { status: 409, when: 'A request is approved once its client company and contact exist.' },
  'invalid-reason': { status: 422, when: 'The reason is longer than allowed.' },

  // --- Shifts
  'shift-exists': { status: 409, when: 'A shift with this id already exists.' },
  'shift-not-found': { status: 404, when: 'No such shift, or not one shared with this portal user.' },
  'shift-cancelled': { status: 409, when: 'The shift is cancelled and can no longer change.' },
  'staff-member-name-required': { status: 422, when: 'The staff member needs a name.' },
  'shift-end-before-start': { status: 422, when: 'The shift ends before (or when) it starts.' },
  'shift-too-long': { status: 422, when: 'The shift lasts longer than allowed.' },
  'invalid-date-time': { status: 422, when: 'A date and time is not ISO 8601 with an offset, e.g. 2026-03-02T08:00:00+09:00.' },

  // --- Timesheets
  'timesheet-exists': { status: 409, when: 'A timesheet with this id already exists.' },
  'timesheet-not-found': { status: 404, when: 'No such timesheet, or not one this portal user may see.' },
  'timesheet-final': { status: 409, when: 'The timesheet is approved: it is final and can no longer change.' },
  'timesheet-rejected': { status: 409, when: 'The timesheet is rejected; it awaits a corrected resubmission, not a decision.' },
  'timesheet-not-rejected': { status: 409, when: 'Only a rejected timesheet is corrected and resubmitted; this one awaits a decision.' },
  'reason-required': { status: 422, when: 'A rejection or decline needs a reason.' },
  'reason-too-long': { status: 422, when: 'The reason is longer than allowed.' },
  'entries-required': { status: 422, when: 'A timesheet needs at least one entry.' },
  'too-many-entries': { status: 422, when: 'A timesheet has more entries than allowed.' },
  'invalid-entry-date': { status: 422, when: 'An entry date is not a calendar date YYYY-MM-DD (`field` names the entry).' },
  'invalid-entry-time': { status: 422, when: 'An entry start or end is not a time HH:MM (`field` names the entry).' },
  'invalid-break': { status: 422, when: 'An entry break is not a whole number of minutes, 0 or more.' },
  'entry-ends-before-start': { status: 422, when: 'An entry ends before (or when) it starts; work past midnight is two entries.' },
  'nonexistent-local-time': { status: 422, when: 'An entry start or end does not exist on that date in the time zone (the clocks skip it).' },
  'negative-hours': { status: 422, when: "An entry's break is as long as the entry, or longer." },
  'note-too-long': { status: 422, when: 'A note is longer than allowed.' },
  'overlapping-entries': { status: 422, when: 'Two entries of the timesheet overlap.' },
  'day-over-24-hours': { status: 422, when: 'The entries of one day add up to more than 24 hours.' },

  // --- Quotes, invoices, payments
  'quote-exists': { status: 409, when: 'A quote with this id was already shared.' },
  'quote-not-found': { status: 404, when: 'No such quote, or not one this portal user may see.' },
  'quote-expired': { status: 409, when: 'The quote is past its `validUntil` date: it can no longer be accepted.' },
  'quote-withdrawn': { status: 409, when: 'The quote was withdrawn.' },
  'quote-decided': { status: 409, when: 'The quote was already accepted or declined; that decision is final.' },
  'invoice-exists': { status: 409, when: 'An invoice with this id was already shared.' },
  'invoice-not-found': { status: 404, when: 'No such invoice, or not one this portal user may see.' },
  'invoice-paid': { status: 409, when: 'The invoice is paid in full; it takes no more payments.' },
  'contact-not-of-client': { status: 422, when: 'The `contactId` is not a contact of the document’s client company.' },
  'invalid-date': { status: 422, when: 'A date is not a calendar date YYYY-MM-DD, or comes before the date it must follow (`errors` names it).' },
  'number-required': { status: 422, when: 'The document needs its number.' },
  'invalid-link': { status: 422, when: 'The link is not an https URL.' },
  'unknown-currency': { status: 422, when: 'The currency is not an ISO 4217 code.' },
  'invalid-amount': { status: 422, when: 'An amount is not a decimal string in the currency (too many fraction digits, negative, zero or too large).' },
  'invalid-quantity': { status: 422, when: 'A quantity is not a positive decimal string.' },
  'lines-required': { status: 422, when: 'The document needs at least one line.' },
  'too-many-lines': { status: 422, when: 'The document has more lines than allowed.' },
  'description-required': { status: 422, when: 'A line needs a description.' },
  'amounts-do-not-add-up': { status: 422, when: 'An amount sent does not match the one computed from the lines (`errors` says what it should be).' },
  overpayment: { status: 422, when: 'The payment is more than the balance of the invoice.' },
  'invalid-payment-method': { status: 422, when: 'The payment method is not one of those accepted.' },
  'invalid-reference': { status: 422, when: 'The payment needs a reference of allowed length.' },
  'payment-in-future': { status: 422, when: 'A payment cannot be dated in the future.' },

  // --- Documents, comments, notifications
  'document-not-found': { status: 404, when: 'No such document, or not one this caller may see.' },
  'comments-not-allowed': { status: 422, when: 'This kind of document takes no comments: only timesheets, quotes and invoices do.' },
  'comment-text-required': { status: 422, when: 'A comment needs some text.' },
  'comment-too-long': { status: 422, when: 'The comment is longer than allowed.' },
  'client-required': { status: 422, when: 'Say which client company the document moves to.' },
  'invalid-move-reason': { status: 422, when: "The move's reason is not one of those allowed." },
  'notification-not-found': { status: 404, when: "No such notification in the caller's organization." },

  // --- Projects
  'project-not-found': { status: 404, when: "No such project in the caller's organization (for a portal user: not one it belongs to)." },
  'project-exists': { status: 409, when: 'A project with this id already exists.' },
  'project-archived': { status: 409, when: 'The project is archived: it takes no new companies, users or documents.' },
  'invalid-billing-method': { status: 422, when: 'billingMethod is not one of staff-hours, fixed, none.' },
  'rate-not-applicable': { status: 422, when: 'An hourly rate was given for a project that does not bill by staff hours.' },
  'client-not-in-project': { status: 422, when: "The company (the contact's, or the document's) is not in the project: add it first." },
  'project-client-not-found': { status: 404, when: 'The company is not in the project (nothing to remove).' },
  'client-user-exists': { status: 409, when: 'The contact is already a client user of the project.' },
  'client-user-not-found': { status: 404, when: 'The contact is not a client user of the project.' },
  'permissions-not-customized': { status: 409, when: "The user has its user type's permissions in the project: nothing to clone." },
  'invalid-clone-targets': { status: 422, when: 'Clone to 1 or more other client users of the same project.' },
  'unknown-project': { status: 422, when: "The document's projectId names no project of the organization." },
  'project-has-no-primary-client': { status: 409, when: 'The project has no primary client: an invoice for it cannot be shared until one is set.' },
  'not-primary-client': { status: 422, when: "An invoice for a project is addressed to the project's primary client." },
  'several-projects-named': { status: 409, when: 'Several projects are named like the deal: add the company and contacts to one of them.' },
  'several-companies-named': { status: 409, when: "Several client companies are named like the deal's company: give its clientId." },
  'several-contacts': { status: 409, when: "Several contacts have one of the deal's email addresses: give the contactId." },

  // --- Audit
  'subject-not-found': { status: 404, when: "Nothing of the caller's organization has this id." },
  'invalid-as-of': { status: 422, when: '`asOf` is not an ISO 8601 instant with a time zone, `asOfPosition` is not a position, or both are given.' },
  'not-found-as-of': { status: 404, when: 'The record did not exist yet at that moment (or is not the caller’s).' },
  'stream-unreadable': { status: 503, when: 'A stored event of this record no longer parses (its stored text was altered): `GET /v1/audit/verify` names it.' },
  'contact-erased': { status: 410, when: 'The contact was erased at its request: nothing more may be done with it.' },

  // --- Reports
  'invalid-date-range': { status: 422, when: '`from` comes after `to`: the range holds no day (one day is `from` = `to`).' },
  'report-too-large': { status: 422, when: 'The report would read more than 500,000 rows; narrow it with `clientId`, `portalId`, or `from` and `to`.' },

  // --- Operations
  'projection-not-found': { status: 404, when: 'No projection has this name (GET /v1/admin/projections lists them).' },
} as const satisfies Record<string, ProblemDefinition>;

export type ProblemCode = keyof typeof PROBLEM_CATALOG;

/** OpenAPI extension carrying a route's own problem types until the document is completed. */
export const PROBLEMS_EXTENSION = 'x-problems';

/**
 * The problem types a route answers besides those its shape implies (authentication, path ids,
 * validation, conflicts, ...): one call per route, read by the OpenAPI post-processor.
 */
export const Problems = (...codes: ProblemCode[]) => ApiExtension(PROBLEMS_EXTENSION, codes);
