import {
  documentAudience,
  documentComments,
  DocumentCommentsEvent,
  documentViews,
  notification,
  notificationIdOf,
  timeOrderedId,
} from './collaboration';
import { fold } from './decider';
import { portalUserMaySee } from './documents';
import { deciderSpec } from './testing/decider-spec';

const quoteForCompany = { clientId: 'cl1', contactId: null };
const staff = { kind: 'staff' as const, id: 'key-1', contactId: null };
const portalUser = { kind: 'portal-user' as const, id: 'acc-1', contactId: 'ct1' };

describe('document audience', () => {
  it('comes from the first event of any document stream', () => {
    const events = [
      { type: 'QuoteShared', data: { quoteId: 'q1', clientId: 'cl1', contactId: 'ct9', number: 'Q-1' } },
      { type: 'QuoteAccepted', data: { quoteId: 'q1', clientId: 'cl1', contactId: 'ct1' } },
    ];
    expect(fold(documentAudience, events).audience).toEqual({ clientId: 'cl1', contactId: 'ct9' });
    expect(fold(documentAudience, [{ type: 'ShiftPublished', data: { shiftId: 's1', clientId: 'cl2' } }]).audience).toEqual({ clientId: 'cl2', contactId: null });
    expect(fold(documentAudience, []).exists).toBe(false);
  });

  it('follows a document moved to another company: the latest company, the same contact', () => {
    const events = [
      { type: 'TimesheetSubmitted', data: { timesheetId: 't1', clientId: 'cl1', contactId: 'ct9' } },
      { type: 'TimesheetApproved', data: { timesheetId: 't1', clientId: 'cl1', contactId: 'ct9' } },
      { type: 'DocumentMovedToClient', data: { documentId: 't1', kind: 'timesheet', fromClientId: 'cl1', toClientId: 'cl2', contactId: 'ct9', reason: 'contact-dissociated' } },
    ];
    expect(fold(documentAudience, events).audience).toEqual({ clientId: 'cl2', contactId: 'ct9' });
    const movedBack = { type: 'DocumentMovedToClient', data: { documentId: 't1', kind: 'timesheet', fromClientId: 'cl2', toClientId: 'cl1', contactId: 'ct9', reason: 'contact-dissociated' } };
    expect(fold(documentAudience, [...events, movedBack]).audience).toEqual({ clientId: 'cl1', contactId: 'ct9' });
  });

  it('names the document’s project: its first event’s, or a shift’s as last updated', () => {
    expect(fold(documentAudience, [{ type: 'QuoteShared', data: { quoteId: 'q1', clientId: 'cl1', contactId: null, projectId: 'p1' } }]).projectId).toBe('p1');
    expect(fold(documentAudience, [{ type: 'QuoteShared', data: { quoteId: 'q1', clientId: 'cl1', contactId: null } }]).projectId).toBeNull();
    const published = { type: 'ShiftPublished', data: { shiftId: 's1', clientId: 'cl1', projectId: null } };
    const intoProject = { type: 'ShiftUpdated', data: { shiftId: 's1', clientId: 'cl1', changes: { projectId: 'p2' }, shift: { projectId: 'p2' } } };
    const renamed = { type: 'ShiftUpdated', data: { shiftId: 's1', clientId: 'cl1', changes: { role: 'Driver' }, shift: { projectId: 'p2', role: 'Driver' } } };
    const outOfIt = { type: 'ShiftUpdated', data: { shiftId: 's1', clientId: 'cl1', changes: { projectId: null }, shift: { projectId: null } } };
    expect(fold(documentAudience, [published, intoProject, renamed]).projectId).toBe('p2');
    expect(fold(documentAudience, [published, intoProject, renamed, outOfIt]).projectId).toBeNull();
  });
});

describe('who may see a document', () => {
  const user = { clientIds: ['X', 'Y'], contactId: 'ct1' };
  it("is a portal user of any company its contact belongs to now, and of no other", () => {
    expect(portalUserMaySee({ clientId: 'X', contactId: null }, user, 'company')).toBe(true);
    expect(portalUserMaySee({ clientId: 'Y', contactId: 'ct7' }, user, 'company')).toBe(true);
    expect(portalUserMaySee({ clientId: 'Z', contactId: 'ct1' }, user, 'company')).toBe(false);
    expect(portalUserMaySee({ clientId: 'X', contactId: null }, { clientIds: [], contactId: 'ct1' }, 'company')).toBe(false);
  });
  it("with visibility 'own': in each of those companies, only its own contact's documents and those for the whole company", () => {
    expect(portalUserMaySee({ clientId: 'Y', contactId: 'ct1' }, user, 'own')).toBe(true);
    expect(portalUserMaySee({ clientId: 'Y', contactId: null }, user, 'own')).toBe(true);
    expect(portalUserMaySee({ clientId: 'Y', contactId: 'ct7' }, user, 'own')).toBe(false);
  });
});

describe('comments', () => {
  const spec = deciderSpec(documentComments);
  const add = (extra: Record<string, unknown> = {}) => ({
    type: 'AddComment' as const,
    commentId: 'cm1',
    documentId: 'q1',
    kind: 'quote' as const,
    document: quoteForCompany,
    text: '  Can we start on Monday?  ',
    author: staff,
    ...extra,
  });
  const added = (extra: Record<string, unknown> = {}): DocumentCommentsEvent => ({
    type: 'CommentAdded',
    data: { commentId: 'cm1', documentId: 'q1', kind: 'quote', clientId: 'cl1', contactId: null, text: 'Can we start on Monday?', author: staff, ...extra },
  });

  it('are added by staff or by a portal user of the company, on quotes, invoices and timesheets', () => {
    spec.given([]).when(add()).then([added()]);
    spec
      .given([])
      .when(add({ kind: 'timesheet', author: portalUser, viewer: { clientIds: ['cl1'], contactId: 'ct1', visibility: 'company' } }))
      .then([added({ kind: 'timesheet', author: portalUser })]);
    spec.given([]).when(add({ kind: 'invoice' })).then([added({ kind: 'invoice' })]);
  });

  it('are not taken on shifts', () => {
    spec.given([]).when(add({ kind: 'shift' })).thenThrows('comments-not-allowed');
  });

  it('need text, within the limit', () => {
    spec.given([]).when(add({ text: '   ' })).thenThrows('comment-text-required', { field: 'text' });
    spec.given([]).when(add({ text: 'x'.repeat(5001) })).thenThrows('comment-too-long', { field: 'text' });
    spec.given([]).when(add({ text: 42 })).thenThrows('comment-text-required');
  });

  it('answer not found for a missing document, or one the portal user may not see', () => {
    spec.given([]).when(add({ document: null })).thenThrows('document-not-found');
    spec.given([]).when(add({ author: portalUser, viewer: { clientIds: ['cl2'], contactId: 'ct1', visibility: 'company' } })).thenThrows('document-not-found');
    const ownDocOfAnother = { clientId: 'cl1', contactId: 'ct2' };
    spec
      .given([])
      .when(add({ document: ownDocOfAnother, author: portalUser, viewer: { clientIds: ['cl1'], contactId: 'ct1', visibility: 'own' } }))
      .thenThrows('document-not-found');
    spec
      .given([])
      .when(add({ document: ownDocOfAnother, author: portalUser, viewer: { clientIds: ['cl1'], contactId: 'ct1', visibility: 'company' } }))
      .then([added({ contactId: 'ct2', author: portalUser })]);
  });

  it('are added once per comment id (a retried request)', () => {
    spec.given([added()]).when(add()).then([]);
    spec.given([added()]).when(add({ commentId: 'cm2' })).then([added({ commentId: 'cm2' })]);
  });
});

describe('viewed markers', () => {
  const spec = deciderSpec(documentViews);
  const mark = (extra: Record<string, unknown> = {}) => ({
    type: 'MarkDocumentViewed' as const,
    documentId: 'q1',
    kind: 'quote' as const,
    document: quoteForCompany,
    accessId: 'acc-1',
    viewer: { clientIds: ['cl1'], contactId: 'ct1', visibility: 'company' as const },
    ...extra,
  });
  const viewed = { type: 'DocumentViewed' as const, data: { documentId: 'q1', kind: 'quote' as const, clientId: 'cl1', contactId: 'ct1', accessId: 'acc-1' } };

  it('record every opening by a portal user who may see the document', () => {
    spec.given([]).when(mark()).then([viewed]);
    spec.given([viewed, viewed]).when(mark()).then([viewed]);
    expect(fold(documentViews, [viewed, viewed]).viewCount).toBe(2);
  });

  it('answer not found for another company or a document not shared with the user', () => {
    spec.given([]).when(mark({ document: null })).thenThrows('document-not-found');
    spec.given([]).when(mark({ viewer: { clientIds: ['cl2'], contactId: 'ct1', visibility: 'company' } })).thenThrows('document-not-found');
    spec
      .given([])
      .when(mark({ document: { clientId: 'cl1', contactId: 'ct2' }, viewer: { clientIds: ['cl1'], contactId: 'ct1', visibility: 'own' } }))
      .thenThrows('document-not-found');
  });
});

describe('notifications', () => {
  const spec = deciderSpec(notification);
  it('are marked read once', () => {
    spec.given([]).when({ type: 'MarkNotificationRead', notificationId: 'n1' }).then([{ type: 'NotificationRead', data: { notificationId: 'n1' } }]);
    spec.given([{ type: 'NotificationRead', data: { notificationId: 'n1' } }]).when({ type: 'MarkNotificationRead', notificationId: 'n1' }).then([]);
  });

  it('have stable ids that list newest first', () => {
    const older = notificationIdOf('e1', '2026-01-01T00:00:00.000Z');
    const newer = notificationIdOf('e2', '2026-01-01T00:00:00.001Z');
    expect(older).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(notificationIdOf('e1', '2026-01-01T00:00:00.000Z')).toBe(older);
    expect(newer < older).toBe(true);
    expect(timeOrderedId(1000, 'a') < timeOrderedId(2000, 'a')).toBe(true);
  });
});
