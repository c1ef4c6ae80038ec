import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { DomainError } from '@app/domain';
import { ClientDocumentRow, ClientRow, CLIENT_DOCUMENTS_COLLECTION, ContactRow, DirectoryQueries, PORTAL_ACCESS_COLLECTION, PortalAccessRow, ReadStore } from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { ResourceIdPipe } from '../http/pipes';
import { ReadQuery } from '../http/pagination';
import { Staff } from '../auth/access';
import { Problems } from '../http/problem-catalog';
import { CurrentStaff, StaffPrincipal } from '../auth/principal';

export const AUDIT_SUBJECT_KINDS = ['contact', 'client', 'portal-access', 'shift', 'timesheet', 'quote', 'invoice'] as const;
export type AuditSubjectKind = (typeof AUDIT_SUBJECT_KINDS)[number];

/** How many matches of each kind a search answers: a search box, not a listing. */
const MATCHES_PER_KIND = 10;
/** How many related subjects of each kind (a company's contacts, its documents) a subject answers, in id order. */
const RELATED_LIMIT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AuditSubjectsQuery extends ReadQuery {
  @ApiProperty({ description: 'A name (any word’s prefix), an email address, or an id', example: 'souza' })
  @IsString()
  @Length(1, 200)
  q!: string;
}

export class AuditSubjectView {
  @ApiProperty({ description: 'Pass as subjectId to GET /v1/audit' }) id!: string;
  @ApiProperty({ enum: AUDIT_SUBJECT_KINDS }) kind!: AuditSubjectKind;
  /** Null for the access of an erased contact (the schema says string: kept as published). */
  @ApiProperty({ nullable: true, type: String, description: 'A name, a document title or number; null for a person who was erased' }) label!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'An email address, a status: what tells two of the same name apart' }) detail!: string | null;
}

export class AuditSubjectsResponse {
  @ApiProperty({ type: [AuditSubjectView] }) items!: AuditSubjectView[];
}

export class AuditSubjectResponse extends AuditSubjectView {
  @ApiProperty({ type: [AuditSubjectView], description: "A company's contacts and documents; a contact's companies and portal accesses; a document's company" })
  related!: AuditSubjectView[];
}

/**
 * What an auditor looks up before reading a history: contacts, companies and documents by
 * name, email or id (the `audit:read` permission alone, so an auditor key needs no directory
 * rights), and the subjects related to one, to move from a company to its documents.
 */
@ApiTags('audit')
@Controller('v1/audit/subjects')
export class AuditSubjectsController {
  private readonly directory: DirectoryQueries;

  constructor(@Inject(READ_STORE) private readonly readStore: ReadStore) {
    this.directory = new DirectoryQueries(readStore);
  }

  @Get()
  @Staff('audit:read')
  @ApiOperation({ summary: 'Find what to read the history of: contacts and companies by name or email, anything by id' })
  @ApiOkResponse({ type: AuditSubjectsResponse })
  async search(@CurrentStaff() principal: StaffPrincipal, @Query() query: AuditSubjectsQuery): Promise<AuditSubjectsResponse> {
    const organizationId = principal.organizationId;
    const q = query.q.trim();
    if (UUID.test(q)) {
      const found = await this.subject(organizationId, q.toLowerCase());
      return { items: found ? [found] : [] };
    }
    const byEmail = q.includes('@');
    const [contacts, clients] = await Promise.all([
      this.directory.listContacts(organizationId, byEmail ? { email: q, limit: MATCHES_PER_KIND } : { q, limit: MATCHES_PER_KIND }),
      this.directory.listClients(organizationId, byEmail ? { email: q, limit: MATCHES_PER_KIND } : { q, limit: MATCHES_PER_KIND }),
    ]);
    return { items: [...contacts.docs.map(contactSubject), ...clients.docs.map(clientSubject)] };
  }

  @Get(':subjectId')
  @Staff('audit:read')
  @ApiOperation({ summary: 'One subject (contact, company, portal access or document) and the subjects related to it' })
  @ApiOkResponse({ type: AuditSubjectResponse })
  @Problems('subject-not-found')
  async get(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('subjectId', ResourceIdPipe) subjectId: string,
    @Query() _query: ReadQuery,
  ): Promise<AuditSubjectResponse> {
    const organizationId = principal.organizationId;
    const subject = await this.subject(organizationId, subjectId);
    if (!subject) throw new DomainError('not-found', 'subject-not-found', 'Nothing of this organization has this id.');
    return { ...subject, related: await this.related(organizationId, subject) };
  }

  /** Whatever of the organization has this id: a contact, a company, a portal access or a document. */
  private async subject(organizationId: string, id: string): Promise<AuditSubjectView | null> {
    const [contact, client, access, document] = await Promise.all([
      this.directory.getContact(organizationId, id),
      this.directory.getClient(organizationId, id),
      this.readStore.get(PORTAL_ACCESS_COLLECTION, id),
      this.readStore.get(CLIENT_DOCUMENTS_COLLECTION, id),
    ]);
    if (contact) return contactSubject(contact);
    if (client) return clientSubject(client);
    if (access && access.organizationId === organizationId) return accessSubject(access);
    if (document && document.organizationId === organizationId) return documentSubject(document);
    return null;
  }

  private async related(organizationId: string, subject: AuditSubjectView): Promise<AuditSubjectView[]> {
    switch (subject.kind) {
      case 'client': {
        const [contacts, documents] = await Promise.all([
          this.directory.listContacts(organizationId, { clientId: subject.id, limit: RELATED_LIMIT }),
          this.readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId, clientId: subject.id }, limit: RELATED_LIMIT }),
        ]);
        return [...contacts.docs.map(contactSubject), ...documents.map(documentSubject)];
      }
      case 'contact': {
        const [clientIds, accesses] = await Promise.all([
          this.directory.clientIdsOf(organizationId, subject.id),
          this.readStore.find(PORTAL_ACCESS_COLLECTION, { where: { organizationId, contactId: subject.id }, limit: RELATED_LIMIT }),
        ]);
        const clients = await Promise.all(clientIds.slice(0, RELATED_LIMIT).map((id) => this.directory.getClient(organizationId, id)));
        return [...clients.filter((doc) => doc !== null).map(clientSubject), ...accesses.map(accessSubject)];
      }
      default: {
        // A document or a portal access: its company (and an access's contact).
        const row: PortalAccessRow | ClientDocumentRow | null =
          subject.kind === 'portal-access' ? await this.readStore.get(PORTAL_ACCESS_COLLECTION, subject.id) : await this.readStore.get(CLIENT_DOCUMENTS_COLLECTION, subject.id);
        const client = row ? await this.directory.getClient(organizationId, row.clientId) : null;
        const contactId = subject.kind === 'portal-access' ? row?.contactId : undefined;
        const contact = contactId ? await this.directory.getContact(organizationId, contactId) : null;
        return [...(contact ? [contactSubject(contact)] : []), ...(client ? [clientSubject(client)] : [])];
      }
    }
  }
}

function contactSubject(doc: ContactRow): AuditSubjectView {
  return { id: doc.id, kind: 'contact', label: doc.name, detail: doc.email ?? null };
}

function clientSubject(doc: ClientRow): AuditSubjectView {
  return { id: doc.id, kind: 'client', label: doc.name, detail: doc.archived === true ? 'archived' : (doc.email ?? null) };
}

function accessSubject(doc: PortalAccessRow): AuditSubjectView {
  return { id: doc.id, kind: 'portal-access', label: doc.email, detail: doc.status };
}

function documentSubject(doc: ClientDocumentRow): AuditSubjectView {
  const label = doc.title || doc.number || doc.id;
  return { id: doc.id, kind: doc.kind, label, detail: doc.status };
}
