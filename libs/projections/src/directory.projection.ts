import type { ClientCompanyEvent, ContactEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { ProjectionWrite } from './read-store';
import { Projection } from './projection';
import { MAX_SEARCH_TERMS, searchTerms } from './search-text';

export const CLIENTS_COLLECTION = 'clients_v1';
export const CONTACTS_COLLECTION = 'contacts_v1';
/** One document per contact per company it belongs to (primary and associated). */
export const CONTACT_MEMBERSHIPS_COLLECTION = 'contact_memberships_v1';
/** One document per search term of a listed client or contact: what `q` searches by prefix. */
export const DIRECTORY_TERMS_COLLECTION = 'directory_terms_v1';

export type DirectoryKind = 'client' | 'contact';

const CLIENT_COMPANY_EVENT_TYPES = ['ClientCompanyRegistered', 'ClientCompanyUpdated', 'ClientCompanyArchived'] satisfies ClientCompanyEvent['type'][];
const CONTACT_EVENT_TYPES = ['ContactAdded', 'ContactUpdated', 'ContactAssociated', 'ContactDissociated', 'ContactPrimaryClientChanged', 'ContactErased'] satisfies ContactEvent['type'][];

/** A membership's id: ordered by company, then contact, so a company's contacts page by contact id. */
export const membershipId = (clientId: string, contactId: string) => `${clientId}:${contactId}`;

/**
 * A term slot's id: `<entityId>:<slot>`. Term documents are keyed by slot, not by term, because
 * the projection is pure: an update carries the new name only, so the old terms are removed
 * by rewriting every slot (upsert the new terms, delete the slots above them), which needs
 * no knowledge of the old name. Ordered by id, an entity's slots are adjacent and entities
 * come in id order, which is what lets a term search page by entity id.
 */
export const termSlotId = (entityId: string, slot: number) => `${entityId}:${String(slot).padStart(2, '0')}`;
/** An afterId past every term slot of an entity (';' follows ':'). */
export const afterTermSlots = (entityId: string) => `${entityId};`;
/** The entity a term slot belongs to. */
export const entityOfTermSlot = (slotId: string) => slotId.slice(0, slotId.lastIndexOf(':'));

/**
 * The directory read models: client companies and contacts as staff list and search them.
 * Archived companies keep their document (readable by id, `archived: true`) but leave the
 * lists and the search. Every write is position-guarded or keyed, so a replayed batch changes
 * nothing.
 */
export const directoryProjection: Projection = {
  name: 'directory_v1',
  eventTypes: [...CLIENT_COMPANY_EVENT_TYPES, ...CONTACT_EVENT_TYPES],
  collections: [
    { name: CLIENTS_COLLECTION, indexes: [['organizationId', 'archived'], ['organizationId', 'archived', 'emailKey']] },
    { name: CONTACTS_COLLECTION, indexes: [['organizationId'], ['organizationId', 'emailKey']] },
    { name: CONTACT_MEMBERSHIPS_COLLECTION, indexes: [['organizationId', 'clientId'], ['organizationId', 'contactId']] },
    // The prefix field last, after the equality fields.
    { name: DIRECTORY_TERMS_COLLECTION, indexes: [['organizationId', 'kind', 'term']] },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const organizationId = event.metadata.organizationId;
    const at = event.metadata.occurredAt;
    const position = event.position;

    const upsert = (collection: string, id: string, set: Record<string, unknown>, setOnInsert?: Record<string, unknown>): ProjectionWrite => ({
      op: 'upsert',
      collection,
      id,
      position,
      set,
      ...(setOnInsert ? { setOnInsert } : {}),
    });
    const terms = (kind: DirectoryKind, entityId: string, name: string | null): ProjectionWrite[] => {
      const found = name === null ? [] : searchTerms(name);
      const writes: ProjectionWrite[] = [];
      for (let slot = 0; slot < MAX_SEARCH_TERMS; slot += 1) {
        const id = termSlotId(entityId, slot);
        writes.push(
          slot < found.length
            ? upsert(DIRECTORY_TERMS_COLLECTION, id, { organizationId, kind, entityId, term: found[slot] })
            : { op: 'delete', collection: DIRECTORY_TERMS_COLLECTION, id, position },
        );
      }
      return writes;
    };
    const membership = (clientId: string, contactId: string): ProjectionWrite =>
      upsert(CONTACT_MEMBERSHIPS_COLLECTION, membershipId(clientId, contactId), { organizationId, clientId, contactId }, { since: at });

    switch (event.type) {
      case 'ClientCompanyRegistered':
        return [
          upsert(CLIENTS_COLLECTION, data.clientId, {
            organizationId,
            name: data.name,
            email: data.email ?? null,
            emailKey: emailKey(data.email),
            website: data.website ?? null,
            address: data.address ?? null,
            archived: false,
            archivedAt: null,
            createdAt: at,
            updatedAt: at,
          }),
          ...terms('client', data.clientId, data.name),
        ];
      case 'ClientCompanyUpdated': {
        const changes = (data.changes ?? {}) as Record<string, unknown>;
        const set: Record<string, unknown> = { updatedAt: at };
        if (changes.name !== undefined) set.name = changes.name;
        if (changes.email !== undefined) Object.assign(set, { email: changes.email ?? null, emailKey: emailKey(changes.email) });
        if (changes.website !== undefined) set.website = changes.website ?? null;
        if (changes.address !== undefined) set.address = changes.address ?? null;
        return [
          upsert(CLIENTS_COLLECTION, data.clientId, set),
          ...(typeof changes.name === 'string' ? terms('client', data.clientId, changes.name) : []),
        ];
      }
      case 'ClientCompanyArchived':
        // Stays readable by id; leaves the lists (archived) and the search (no terms).
        return [upsert(CLIENTS_COLLECTION, data.clientId, { archived: true, archivedAt: at, updatedAt: at }), ...terms('client', data.clientId, null)];

      case 'ContactAdded':
        return [
          upsert(CONTACTS_COLLECTION, data.contactId, {
            organizationId,
            name: data.name,
            email: data.email ?? null,
            emailKey: emailKey(data.email),
            phone: data.phone ?? null,
            clientId: data.clientId,
            createdAt: at,
            updatedAt: at,
          }),
          membership(data.clientId, data.contactId),
          ...terms('contact', data.contactId, data.name),
        ];
      case 'ContactUpdated': {
        const changes = (data.changes ?? {}) as Record<string, unknown>;
        const set: Record<string, unknown> = { updatedAt: at };
        if (changes.name !== undefined) set.name = changes.name;
        if (changes.email !== undefined) Object.assign(set, { email: changes.email ?? null, emailKey: emailKey(changes.email) });
        if (changes.phone !== undefined) set.phone = changes.phone ?? null;
        return [
          upsert(CONTACTS_COLLECTION, data.contactId, set),
          ...(typeof changes.name === 'string' ? terms('contact', data.contactId, changes.name) : []),
        ];
      }
      case 'ContactAssociated':
        return [upsert(CONTACTS_COLLECTION, data.contactId, { updatedAt: at }), membership(data.clientId, data.contactId)];
      case 'ContactDissociated':
        return [
          upsert(CONTACTS_COLLECTION, data.contactId, { updatedAt: at }),
          { op: 'delete', collection: CONTACT_MEMBERSHIPS_COLLECTION, id: membershipId(data.clientId, data.contactId), position },
        ];
      case 'ContactErased':
        // The person was forgotten: its personal data leaves the read model (and the search).
        return [
          upsert(CONTACTS_COLLECTION, data.contactId, { name: '[erased]', email: null, emailKey: null, phone: null, erased: true, updatedAt: at }),
          ...terms('contact', data.contactId, null),
        ];
      case 'ContactPrimaryClientChanged':
        // The new primary is a membership from now on (it may be already); the old one stays.
        return [upsert(CONTACTS_COLLECTION, data.contactId, { clientId: data.clientId, updatedAt: at }), membership(data.clientId, data.contactId)];
      default:
        return [];
    }
  },
};

/** Emails are matched case-insensitively: the filter compares this lower-cased copy. */
function emailKey(email: unknown): string | null {
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : null;
}
