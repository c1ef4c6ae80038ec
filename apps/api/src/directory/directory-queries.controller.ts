import { AsOf } from '../audit/as-of';
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@app/domain';
import { ClientRow, ContactRow, DirectoryPage, DirectoryQueries, ReadStore, Row } from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { decodeCursor, encodeCursor, Page, ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { Staff } from '../auth/access';
import { CurrentStaff, StaffPrincipal } from '../auth/principal';
import { ClientPage, ClientView, ContactPage, ContactView, ListClientsQuery, ListContactsQuery } from './directory-queries.dto';
import { Problems } from '../http/problem-catalog';

const DEFAULT_LIMIT = 50;

/**
 * The directory's queries (directory_v1 read models). Lists are ordered by id, whatever the
 * filters, and page with an opaque cursor; `q` is a prefix search on the words of the name.
 */
@ApiTags('directory')
@Controller('v1')
export class DirectoryQueriesController {
  private readonly queries: DirectoryQueries;

  constructor(@Inject(READ_STORE) readStore: ReadStore) {
    this.queries = new DirectoryQueries(readStore);
  }

  @Get('clients')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List client companies (not archived), ordered by id; search by name (q), filter by email' })
  @ApiOkResponse({ type: ClientPage })
  async listClients(@CurrentStaff() principal: StaffPrincipal, @Query() query: ListClientsQuery): Promise<Page<ClientView>> {
    const page = await this.queries.listClients(principal.organizationId, {
      q: query.q,
      email: query.email,
      afterId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: query.limit ?? DEFAULT_LIMIT,
    });
    return toPage(page, toClientView);
  }

  @Get('clients/:clientId')
  @AsOf('clientCompany')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A client company; an archived one answers with archived: true' })
  @ApiOkResponse({ type: ClientView })
  @Problems('client-not-found')
  async getClient(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('clientId', ResourceIdPipe) clientId: string,
    @Query() _query: ReadQuery,
  ): Promise<ClientView> {
    const doc = await this.queries.getClient(principal.organizationId, clientId);
    if (!doc) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
    return toClientView(doc);
  }

  @Get('contacts')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List contacts, ordered by id; filter by client company (primary or associated) and email, search by name (q)' })
  @ApiOkResponse({ type: ContactPage })
  async listContacts(@CurrentStaff() principal: StaffPrincipal, @Query() query: ListContactsQuery): Promise<Page<ContactView>> {
    const organizationId = principal.organizationId;
    const page = await this.queries.listContacts(organizationId, {
      q: query.q,
      email: query.email,
      clientId: query.clientId?.toLowerCase(),
      afterId: query.cursor ? decodeCursor(query.cursor) : undefined,
      limit: query.limit ?? DEFAULT_LIMIT,
    });
    const clientIds = await Promise.all(page.docs.map((doc) => this.queries.clientIdsOf(organizationId, doc.id)));
    return toPage(page, (doc, index) => toContactView(doc, clientIds[index]));
  }

  @Get('contacts/:contactId')
  @AsOf('contact')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A contact, with every client company it belongs to' })
  @ApiOkResponse({ type: ContactView })
  @Problems('contact-not-found')
  async getContact(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() _query: ReadQuery,
  ): Promise<ContactView> {
    const doc = await this.queries.getContact(principal.organizationId, contactId);
    if (!doc) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
    return toContactView(doc, await this.queries.clientIdsOf(principal.organizationId, contactId));
  }
}

function toPage<R extends Row, T>(page: DirectoryPage<R>, toItem: (doc: R, index: number) => T): Page<T> {
  return { items: page.docs.map(toItem), nextCursor: page.nextAfterId === null ? null : encodeCursor(page.nextAfterId) };
}

function toClientView(doc: ClientRow): ClientView {
  return {
    id: doc.id,
    organizationId: doc.organizationId,
    name: doc.name,
    email: doc.email ?? null,
    website: doc.website ?? null,
    address: doc.address ?? null,
    archived: doc.archived === true,
    archivedAt: doc.archivedAt ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function toContactView(doc: ContactRow, clientIds: string[]): ContactView {
  return {
    id: doc.id,
    organizationId: doc.organizationId,
    name: doc.name,
    email: doc.email ?? null,
    phone: doc.phone ?? null,
    clientId: doc.clientId,
    // The primary company is always one of them, even if its membership is not written yet.
    clientIds: clientIds.includes(doc.clientId) ? clientIds : [...clientIds, doc.clientId].sort(),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
