import { Inject, Injectable } from '@nestjs/common';
import { DomainError, portalUserMaySee } from '@app/domain';
import { audienceOf, CLIENT_DOCUMENTS_COLLECTION, ClientDocumentRowOf, isDocumentOfKind, ReadStore, ShiftRow, TimesheetRow } from '@app/projections';
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

  async staffList<K extends Kind>(organizationId: string, kind: K, filter: { clientId?: string; status?: string }, query: PageQuery): Promise<Page<ClientDocumentRowOf<K>>> {
    const where = {
      organizationId,
      ...(filter.clientId ? { clientId: filter.clientId.toLowerCase() } : {}),
      kind,
      ...(filter.status ? { status: filter.status } : {}),
    };
    return this.page(kind, where, () => true, query);
  }

  async staffGet<K extends Kind>(organizationId: string, kind: K, id: string): Promise<ClientDocumentRowOf<K>> {
    const doc = await this.readStore.get(CLIENT_DOCUMENTS_COLLECTION, id);
    if (!doc || doc.organizationId !== organizationId || !isDocumentOfKind(doc, kind)) throw notFound(kind);
    return doc;
  }

  async portalList<K extends Kind>(user: PortalPrincipal, kind: K, status: string | undefined, query: PageQuery): Promise<Page<ClientDocumentRowOf<K>>> {
    const { visibility } = await organizationSettingsOf(this.executor, user.organizationId);
    const wheres = user.clientIds.map((clientId) => ({ organizationId: user.organizationId, clientId, kind, ...(status ? { status } : {}) }));
    // Each row as its document would be judged: its company and visibility, then its project's permissions (or the user type's).
    const judge = this.permissions.judge(user);
    const module = kind === 'shift' ? 'shifts' : 'timesheets';
    return this.page(kind, wheres, async (doc) => portalUserMaySee(audienceOf(doc), user, visibility) && (await judge(doc.projectId ?? null, module, 'view')), query);
  }

  async portalGet<K extends Kind>(user: PortalPrincipal, kind: K, id: string): Promise<ClientDocumentRowOf<K>> {
    const doc = await this.readStore.get(CLIENT_DOCUMENTS_COLLECTION, id);
    if (!doc || doc.organizationId !== user.organizationId || !isDocumentOfKind(doc, kind)) throw notFound(kind);
    const { visibility } = await organizationSettingsOf(this.executor, user.organizationId);
    if (!portalUserMaySee(audienceOf(doc), user, visibility)) throw notFound(kind);
    return doc;
  }

  /** One page of the rows of a kind matching `where` (any of them) and `keep`, ordered by id. */
  private page<K extends Kind>(
    kind: K,
    where: Record<string, string> | Record<string, string>[],
    keep: (doc: ShiftRow | TimesheetRow) => boolean | Promise<boolean>,
    query: PageQuery,
  ): Promise<Page<ClientDocumentRowOf<K>>> {
    return findSelectedPage(this.readStore, CLIENT_DOCUMENTS_COLLECTION, where, query, async (doc) => (isDocumentOfKind(doc, kind) && (await keep(doc)) ? doc : undefined));
  }
}

function notFound(kind: Kind): DomainError {
  return new DomainError('not-found', `${kind}-not-found`, `No such ${kind}.`);
}

export function toShiftView(doc: ShiftRow): ShiftView {
  const { summary } = doc;
  return {
    id: doc.id,
    clientId: doc.clientId,
    projectId: doc.projectId ?? null,
    status: doc.status,
    title: doc.title,
    staffMember: summary.staffMember,
    start: summary.start,
    end: summary.end,
    startsAt: summary.startsAt,
    endsAt: summary.endsAt,
    location: summary.location,
    role: summary.role,
    cancellationReason: doc.status === 'cancelled' ? (doc.statusReason ?? null) : null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toTimesheetView(doc: TimesheetRow): TimesheetView {
  const { summary } = doc;
  return {
    id: doc.id,
    clientId: doc.clientId,
    contactId: doc.contactId ?? null,
    projectId: doc.projectId ?? null,
    status: doc.status,
    pending: doc.pending === true,
    title: doc.title,
    staffMember: summary.staffMember,
    timeZone: summary.timeZone,
    entries: summary.entries,
    totalMinutes: summary.totalMinutes,
    totalHours: Math.round((summary.totalMinutes / 60) * 100) / 100,
    note: summary.note,
    rejectionReason: doc.status === 'rejected' ? (doc.statusReason ?? null) : null,
    version: summary.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function mapPage<R, T>(page: Page<R>, toItem: (doc: R) => T): Page<T> {
  return { items: page.items.map(toItem), nextCursor: page.nextCursor };
}
