import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notificationIdOf } from '@app/domain';
import { EventMetadata, EventToAppend, InMemoryEventStore } from '@app/event-store';
import {
  DOCUMENT_COMMENTS_COLLECTION,
  DOCUMENT_VIEWS_COLLECTION,
  documentCommentsProjection,
  documentViewsProjection,
  NOTIFICATIONS_COLLECTION,
  notificationsProjection,
} from './collaboration.projection';
import { ProjectionRunner } from './projection-runner';
import { ProjectionWaiter } from './projection-waiter';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';
import { eventToAppend } from './testing/events';

const ORG = 'org-1';
const PROJECTIONS = [documentCommentsProjection, documentViewsProjection, notificationsProjection];
const portal = { actor: { kind: 'portal-user' as const, id: 'acc-1' }, channel: 'portal' as const };
const staff = { actor: { kind: 'staff' as const, id: 'key-1' }, channel: 'api' as const };

let clock = Date.parse('2026-03-01T09:00:00.000Z');
const event = (type: string, data: Record<string, unknown>, who: Pick<EventMetadata, 'actor' | 'channel'> = portal): EventToAppend =>
  eventToAppend({ type, data }, { organizationId: ORG, ...who, at: new Date((clock += 1000)).toISOString() });

describe('collaboration projections: comments, viewed markers, notifications', () => {
  let dir: string;
  let store: InMemoryEventStore;
  let readStore: ReadStore;
  let runner: ProjectionRunner;
  let head = 0n;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'collaboration-'));
    store = new InMemoryEventStore();
    readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    runner = new ProjectionRunner(store, readStore, PROJECTIONS, { batchSize: 3 });
    await runner.start();
  });

  afterEach(async () => {
    await runner.stop();
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function append(stream: string, ...events: EventToAppend[]): Promise<bigint> {
    head = (await store.appendToStream(stream, events, { expectedRevision: 'any' })).position;
    return head;
  }
  async function caughtUp(): Promise<void> {
    expect(await new ProjectionWaiter(readStore, PROJECTIONS.map((p) => p.name), runner).waitFor(head, 10_000)).toBe(true);
  }
  const all = (collection: string) => readStore.find(collection, { where: {}, limit: 10_000 });
  const snapshot = async () => ({
    comments: await all(DOCUMENT_COMMENTS_COLLECTION),
    views: await all(DOCUMENT_VIEWS_COLLECTION),
    notifications: await all(NOTIFICATIONS_COLLECTION),
  });

  const quote = 'q0000001-0000-4000-8000-000000000000';
  const timesheet = 't0000001-0000-4000-8000-000000000000';
  async function seed() {
    await append(`quote-${quote}`, event('QuoteShared', { quoteId: quote, clientId: 'cl1', contactId: null, number: 'Q-1' }, staff));
    await append(`timesheet-${timesheet}`, event('TimesheetSubmitted', { timesheetId: timesheet, clientId: 'cl1', contactId: 'ct1' }));
    await append(`timesheet-${timesheet}`, event('TimesheetApproved', { timesheetId: timesheet, clientId: 'cl1', contactId: 'ct2' }, { ...portal, actor: { kind: 'portal-user', id: 'acc-2' } }));
    await append(`documentViews-${quote}`, event('DocumentViewed', { documentId: quote, kind: 'quote', clientId: 'cl1', contactId: 'ct1', accessId: 'acc-1' }));
    await append(`documentViews-${quote}`, event('DocumentViewed', { documentId: quote, kind: 'quote', clientId: 'cl1', contactId: 'ct2', accessId: 'acc-2' }));
    const author = { kind: 'portal-user', id: 'acc-1', contactId: 'ct1' };
    await append(`documentComments-${quote}`, event('CommentAdded', { commentId: 'c1', documentId: quote, kind: 'quote', clientId: 'cl1', contactId: null, text: 'Start Monday?', author }));
    await append(
      `documentComments-${quote}`,
      event('CommentAdded', { commentId: 'c2', documentId: quote, kind: 'quote', clientId: 'cl1', contactId: null, text: 'Yes', author: { kind: 'staff', id: 'key-1', contactId: null } }, staff),
    );
    await append(`quote-${quote}`, event('QuoteDeclined', { quoteId: quote, clientId: 'cl1', contactId: 'ct1', reason: 'too expensive' }));
    await append('portalAccess-acc-1', event('PortalPreferencesChanged', { accessId: 'acc-1', contactId: 'ct1', changes: { language: 'fr' } }));
    // Staff actions and staff changes of a contact are the organization's own.
    await append(`timesheet-${timesheet}`, event('TimesheetRejected', { timesheetId: timesheet, clientId: 'cl1', contactId: null, reason: 'x' }, staff));
    await append('contact-ct1', event('ContactUpdated', { contactId: 'ct1', changes: { phone: '1' } }, staff));
    await caughtUp();
  }

  it('lists comments oldest first, counts views, and notifies client actions only, newest first', async () => {
    await seed();
    const { comments, views, notifications } = await snapshot();
    expect(comments.map((c) => [c.id, c.text])).toEqual([
      ['c1', 'Start Monday?'],
      ['c2', 'Yes'],
    ]);
    expect(views).toEqual([
      expect.objectContaining({
        id: quote,
        kind: 'quote',
        clientId: 'cl1',
        viewCount: 2,
        firstViewedBy: { accessId: 'acc-1', contactId: 'ct1' },
        lastViewedBy: { accessId: 'acc-2', contactId: 'ct2' },
      }),
    ]);
    expect((views[0].firstViewedAt as string) < (views[0].lastViewedAt as string)).toBe(true);
    expect(notifications.map((n) => n.type)).toEqual(['PortalPreferencesChanged', 'QuoteDeclined', 'CommentAdded', 'TimesheetApproved', 'TimesheetSubmitted']);
    expect(notifications.find((n) => n.type === 'QuoteDeclined')).toMatchObject({
      documentId: quote,
      kind: 'quote',
      clientId: 'cl1',
      contactId: 'ct1',
      read: false,
      details: { reason: 'too expensive' },
    });
    expect(notifications.find((n) => n.type === 'CommentAdded')).toMatchObject({ documentId: quote, kind: 'quote', contactId: 'ct1', details: { text: 'Start Monday?' } });
    expect(notifications.find((n) => n.type === 'PortalPreferencesChanged')).toMatchObject({ documentId: null, contactId: 'ct1', details: { changed: ['language'] } });
  });

  it('marks a notification read with an event', async () => {
    await seed();
    const [newest] = await all(NOTIFICATIONS_COLLECTION);
    await append(`notification-${newest.id}`, event('NotificationRead', { notificationId: newest.id }, staff));
    await caughtUp();
    expect(await readStore.get(NOTIFICATIONS_COLLECTION, newest.id)).toMatchObject({ read: true, readBy: staff.actor });
    expect((await readStore.find(NOTIFICATIONS_COLLECTION, { where: { organizationId: ORG, read: false }, limit: 100 })).length).toBe(4);
    const source = (await store.readAll({ maxCount: 100 })).find((e) => e.id === newest.sourceEventId)!;
    expect(notificationIdOf(source.id, source.metadata.occurredAt)).toBe(newest.id);
  });

  it('applies each event exactly once in effect: replayed suffixes and a rebuild from zero give the same rows', async () => {
    await seed();
    const [newest] = await all(NOTIFICATIONS_COLLECTION);
    await append(`notification-${newest.id}`, event('NotificationRead', { notificationId: newest.id }, staff));
    await caughtUp();
    const before = await snapshot();

    const events = await store.readAll({ maxCount: 1_000 });
    for (let from = events.length - 1; from >= 0; from -= 2) {
      for (const projection of PROJECTIONS) {
        await readStore.applyBatch(projection.name, events.slice(from).flatMap((e) => projection.project(e)), head);
      }
      expect(await snapshot()).toEqual(before);
    }

    for (const projection of PROJECTIONS) await runner.rebuild(projection.name);
    for (const projection of PROJECTIONS) await runner.whenRebuilt(projection.name);
    await caughtUp();
    expect(await snapshot()).toEqual(before);
  });
});
