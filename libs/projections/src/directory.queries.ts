import { CollectionName, FindQuery, ReadStore, Row } from './read-store';
import {
  afterTermSlots,
  ClientRow,
  CLIENTS_COLLECTION,
  CONTACT_MEMBERSHIPS_COLLECTION,
  ContactRow,
  CONTACTS_COLLECTION,
  DIRECTORY_TERMS_COLLECTION,
  DirectoryKind,
  DirectoryTermRow,
  entityOfTermSlot,
  membershipId,
} from './directory.projection';
import { matchesSearch, searchPrefix } from './search-text';

export interface DirectoryPageRequest {
  /** Entities with a search term starting with searchKey(q). */
  q?: string;
  /** Exact, case-insensitive. */
  email?: string;
  /** The last id of the previous page (exclusive). */
  afterId?: string;
  limit: number;
}

export interface ContactPageRequest extends DirectoryPageRequest {
  /** Contacts belonging to this company, as primary or associated company. */
  clientId?: string;
}

export interface DirectoryPage<R extends Row> {
  docs: R[];
  /** The id to continue after, when there may be more. */
  nextAfterId: string | null;
}

/** Most ids read from one source per round while filling a page. */
const MAX_BATCH = 1_000;

/**
 * The directory's queries over its read models, organization-scoped. Every list is ordered by
 * entity id and pages with the last id as cursor, whichever filter drives it:
 * - no filter: the entity collection's [organizationId, ...] index;
 * - `email`: the emailKey index, further filters applied to what it finds;
 * - `clientId` (contacts): the company's memberships, ordered by contact id;
 * - `q` alone: a prefix range on the term index; a term document's id starts with its
 *   entity's id, so matches arrive in entity order, and several terms of one entity are
 *   adjacent and counted once.
 * Filters that do not drive are checked on each candidate (`q` with `matchesSearch`, the same
 * test the term index answers), so a page is filled by reading on until it is full.
 */
export class DirectoryQueries {
  constructor(private readonly readStore: ReadStore) {}

  async getClient(organizationId: string, id: string): Promise<ClientRow | null> {
    const doc = await this.readStore.get(CLIENTS_COLLECTION, id);
    return doc && doc.organizationId === organizationId ? doc : null;
  }

  async getContact(organizationId: string, id: string): Promise<ContactRow | null> {
    const doc = await this.readStore.get(CONTACTS_COLLECTION, id);
    return doc && doc.organizationId === organizationId ? doc : null;
  }

  /** Every company a contact belongs to (its primary included), ordered by id. */
  async clientIdsOf(organizationId: string, contactId: string): Promise<string[]> {
    const memberships = await this.readStore.find(CONTACT_MEMBERSHIPS_COLLECTION, { where: { organizationId, contactId }, limit: 10_000 });
    return memberships.map((doc) => doc.clientId).sort();
  }

  /** Companies not archived. */
  listClients(organizationId: string, request: DirectoryPageRequest): Promise<DirectoryPage<ClientRow>> {
    const listed = (doc: ClientRow | null): doc is ClientRow => !!doc && doc.organizationId === organizationId && doc.archived === false;
    const q = request.q;
    if (request.email !== undefined) {
      return this.fill(request, {
        ...this.byDocuments(CLIENTS_COLLECTION, { organizationId, archived: false, emailKey: request.email.trim().toLowerCase() }),
        accept: async (doc) => (q === undefined || matchesSearch(doc.name, q) ? doc : null),
      });
    }
    if (q !== undefined) {
      return this.fill(request, {
        ...this.byTerms(organizationId, 'client', q),
        accept: async (_row, entityId) => {
          const doc = await this.readStore.get(CLIENTS_COLLECTION, entityId);
          return listed(doc) ? doc : null;
        },
      });
    }
    return this.fill(request, { ...this.byDocuments(CLIENTS_COLLECTION, { organizationId, archived: false }), accept: async (doc) => doc });
  }

  listContacts(organizationId: string, request: ContactPageRequest): Promise<DirectoryPage<ContactRow>> {
    const { q, clientId } = request;
    const own = (doc: ContactRow | null): doc is ContactRow => !!doc && doc.organizationId === organizationId;
    const matches = (doc: ContactRow) => q === undefined || matchesSearch(doc.name, q);
    if (request.email !== undefined) {
      return this.fill(request, {
        ...this.byDocuments(CONTACTS_COLLECTION, { organizationId, emailKey: request.email.trim().toLowerCase() }),
        accept: async (doc) => {
          if (!matches(doc)) return null;
          if (clientId !== undefined && !(await this.readStore.get(CONTACT_MEMBERSHIPS_COLLECTION, membershipId(clientId, doc.id)))) return null;
          return doc;
        },
      });
    }
    if (clientId !== undefined) {
      return this.fill(request, {
        read: (afterId, limit) =>
          this.readStore.find(CONTACT_MEMBERSHIPS_COLLECTION, {
            where: { organizationId, clientId },
            afterId: afterId === undefined ? undefined : membershipId(clientId, afterId),
            limit,
          }),
        entityOf: (row) => row.contactId,
        accept: async (_row, contactId) => {
          const doc = await this.readStore.get(CONTACTS_COLLECTION, contactId);
          return own(doc) && matches(doc) ? doc : null;
        },
      });
    }
    if (q !== undefined) {
      return this.fill(request, {
        ...this.byTerms(organizationId, 'contact', q),
        accept: async (_row, entityId) => {
          const doc = await this.readStore.get(CONTACTS_COLLECTION, entityId);
          return own(doc) ? doc : null;
        },
      });
    }
    return this.fill(request, { ...this.byDocuments(CONTACTS_COLLECTION, { organizationId }), accept: async (doc) => doc });
  }

  private byDocuments<R extends Row>(collection: CollectionName<R>, where: FindQuery['where']) {
    return {
      read: (afterId: string | undefined, limit: number) => this.readStore.find(collection, { where, afterId, limit }),
      entityOf: (doc: R) => doc.id,
    };
  }

  private byTerms(organizationId: string, kind: DirectoryKind, q: string) {
    const prefix = searchPrefix(q);
    return {
      read: (afterId: string | undefined, limit: number) =>
        this.readStore.find(DIRECTORY_TERMS_COLLECTION, {
          where: { organizationId, kind },
          prefix: { field: 'term', value: prefix },
          afterId: afterId === undefined ? undefined : afterTermSlots(afterId),
          limit,
        }),
      entityOf: (row: DirectoryTermRow) => row.entityId ?? entityOfTermSlot(row.id),
    };
  }

  /**
   * Reads a source in entity order, round after round, until the page (and one more, to know
   * whether there is a next page) is filled or the source ends. Rows of one entity that follow
   * each other are one candidate; `accept` answers the entity's document or null.
   */
  private async fill<Source extends Row, Entity extends Row>(
    request: DirectoryPageRequest,
    source: {
      read: (afterId: string | undefined, limit: number) => Promise<Source[]>;
      entityOf: (row: Source) => string;
      accept: (row: Source, entityId: string) => Promise<Entity | null>;
    },
  ): Promise<DirectoryPage<Entity>> {
    const { limit } = request;
    if (limit <= 0) return { docs: [], nextAfterId: null };
    const found: Entity[] = [];
    let afterId = request.afterId;
    let batch = Math.min(MAX_BATCH, Math.max(limit + 1, 20));
    for (;;) {
      const rows = await source.read(afterId, batch);
      const candidates: Array<{ entityId: string; row: Source }> = [];
      for (const row of rows) {
        const entityId = source.entityOf(row);
        if (candidates.at(-1)?.entityId !== entityId) candidates.push({ entityId, row });
      }
      const accepted = await Promise.all(candidates.map(({ entityId, row }) => source.accept(row, entityId)));
      for (const doc of accepted) {
        if (!doc) continue;
        found.push(doc);
        if (found.length > limit) return { docs: found.slice(0, limit), nextAfterId: found[limit - 1].id };
      }
      if (rows.length < batch) return { docs: found, nextAfterId: null };
      afterId = candidates[candidates.length - 1].entityId;
      batch = Math.min(MAX_BATCH, batch * 2);
    }
  }
}
