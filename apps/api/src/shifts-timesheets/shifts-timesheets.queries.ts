import { Inject, Injectable } from '@nestjs/common';
import { DomainError, portalUserMaySee } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION, Doc, ReadStore, ShiftSummary, TimesheetSummary } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { findSelectedPage, Page, PageQuery } from '../http/pagination';
import { READ_STORE } from '../infrastructure/tokens';
import { PortalPrincipal } from '../auth/principal';
import { PortalPermissions } from '../auth/portal-permissions';
import { organizationSettingsOf } from './shifts-timesheets.commands';
import { ShiftView, TimesheetView } from './shifts-timesheets.dto';

type Kind = 'shift' | 'timesheet';

/**
 * Shifts and timesheets as staff and portal users read them, from the shared per-client
 * document list (client_documents_v2). Lists are ordered by id and page with an opaque cursor.
 * A portal user reads only the rows of the companies its contact belongs to now that its
 * organization's visibility lets it see; any other id answers 404, exactly like an unknown one.
 */
@Injectable()
export class ShiftsTimesheetsQueries {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly executor: CommandExecutor,
    private readonly permissions: PortalPermissions,
  ) {}

  async staffList(organizationId: string, kind: Kind, filter: { clientId?: string; status?: string }, query: PageQuery): Promise<Page<Doc>> {
    const where = {
      organizationId,
      ...(filter.clientId ? { clientId: filter.clientId.toLowerCase() } : {}),
      kind,
      ...(filter.status ? { status: filter.status } : {}),
    };
    return this.page(where, () => true, query);
  }

  async staffGet(organizationId: string, kind: Kind, id: string): Promise<Doc> {
    const doc = await this.readStore.get(CLIENT_DOCUMENTS_COLLECTION, id);
    if (!doc || doc.organizationId !== organizationId || doc.kind !== kind) throw notFound(kind);
    return doc;
  }

  async portalList(user: PortalPrincipal, kind: Kind, status: string | undefined, query: PageQuery): Promise<Page<Doc>> {
    const { visibility } = await organizationSettingsOf(this.executor, user.organizationId);
    const wheres = user.clientIds.map((clientId) => ({ organizationId: user.organizationId, clientId, kind, ...(status ? { status } : {}) }));
    // Each row as its document would be judged: its company and visibility, then its project's permissions (or the user type's).
    const judge = this.permissions.judge(user);
    const module = kind === 'shift' ? 'shifts' : 'timesheets';
    return this.page(wheres, async (doc) => portalUserMaySee(audienceOf(doc), user, visibility) && (await judge((doc.projectId as string | null) ?? null, module, 'view')), query);
  }

  async portalGet(user: PortalPrincipal, kind: Kind, id: string): Promise<Doc> {
    const doc = await this.readStore.get(CLIENT_DOCUMENTS_COLLECTION, id);
    if (!doc || doc.organizationId !== user.organizationId || doc.kind !== kind) throw notFound(kind);
    const { visibility } = await organizationSettingsOf(this.executor, user.organizationId);
    if (!portalUserMaySee(audienceOf(doc), user, visibility)) throw notFound(kind);
    return doc;
  }

  /** One page of the rows matching `where` (any of them) and `keep`, ordered by id. */
  private page(where: Record<string, string> | Record<string, string>[], keep: (doc: Doc) => boolean | Promise<boolean>, query: PageQuery): Promise<Page<Doc>> {
    return findSelectedPage(this.readStore, CLIENT_DOCUMENTS_COLLECTION, where, query, async (doc) => ((await keep(doc)) ? doc : undefined));
  }
}

function audienceOf(doc: Doc): { clientId: string; contactId: string | null } {
  return { clientId: doc.clientId as string, contactId: (doc.contactId as string | null) ?? null };
}

function notFound(kind: Kind): DomainError {
  return new DomainError('not-found', `${kind}-not-found`, `No such ${kind}.`);
}

export function toShiftView(doc: Doc): ShiftView {
  const summary = doc.summary as unknown as ShiftSummary;
  return {
    id: doc.id,
    clientId: doc.clientId as string,
    projectId: (doc.projectId as string | null) ?? null,
    status: doc.status as string,
    title: doc.title as string,
    staffMember: summary.staffMember,
    start: summary.start,
    end: summary.end,
    startsAt: summary.startsAt,
    endsAt: summary.endsAt,
    location: summary.location,
    role: summary.role,
    cancellationReason: doc.status === 'cancelled' ? ((doc.statusReason as string | null) ?? null) : null,
    createdAt: doc.createdAt as string,
    updatedAt: doc.updatedAt as string,
  };
}

export function toTimesheetView(doc: Doc): TimesheetView {
  const summary = doc.summary as unknown as TimesheetSummary;
  return {
    id: doc.id,
    clientId: doc.clientId as string,
    contactId: (doc.contactId as string | null) ?? null,
    projectId: (doc.projectId as string | null) ?? null,
    status: doc.status as string,
    pending: doc.pending === true,
    title: doc.title as string,
    staffMember: summary.staffMember,
    timeZone: summary.timeZone,
    entries: summary.entries,
    totalMinutes: summary.totalMinutes,
    totalHours: Math.round((summary.totalMinutes / 60) * 100) / 100,
    note: summary.note,
    rejectionReason: doc.status === 'rejected' ? ((doc.statusReason as string | null) ?? null) : null,
    version: summary.version,
    createdAt: doc.createdAt as string,
    updatedAt: doc.updatedAt as string,
  };
}

export function mapPage<T>(page: Page<Doc>, toItem: (doc: Doc) => T): Page<T> {
  return { items: page.items.map(toItem), nextCursor: page.nextCursor };
}
