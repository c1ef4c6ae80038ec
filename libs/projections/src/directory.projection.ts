import type { PostalAddress } from '@app/domain';
import { collection, ProjectionWrite } from './read-store';
import { projectionOf, remove, SomeRowFields, unhandled, upsert } from './projection';
import { MAX_SEARCH_TERMS, searchTerms } from './search-text';

/** A client company as staff list it (docs/read-models.md, `clients_v1`). */
export interface ClientRow {
  id: string;
  organizationId: string;
  name: string;
  email: string | null;
  /** The email, trimmed and lower-cased: what email filters compare. */
  emailKey: string | null;
  website: string | null;
  address: PostalAddress | null;
  /** Out of the lists and the search; still readable by id. */
  archived: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A contact of a client company (`contacts_v1`). */
export interface ContactRow {
  id: string;
  organizationId: string;
  /** `[erased]` once erased. */
  name: string;
  email: string | null;
  emailKey: string | null;
  phone: string | null;
  /** The primary company. */
  clientId: string;
  createdAt: string;
  updatedAt: string;
  /** True once the person was forgotten; absent before. */
  erased?: boolean;
}

/** A contact's membership of one company (`contact_memberships_v1`), keyed `<clientId>:<contactId>`. */
export interface ContactMembershipRow {
  id: string;
  organizationId: string;
  clientId: string;
  contactId: string;
  since: string;
}

/** One search term of a listed company or contact (`directory_terms_v1`), keyed `<entityId>:<slot>`. */
export interface DirectoryTermRow {
  id: string;
  organizationId: string;
  kind: DirectoryKind;
  entityId: string;
  term: string;
}

export const CLIENTS_COLLECTION = collection<ClientRow>('clients_v1');
export const CONTACTS_COLLECTION = collection<ContactRow>('contacts_v1');
/** One document per contact per company it belongs to (primary and associated). */
export const CONTACT_MEMBERSHIPS_COLLECTION = collection<ContactMembershipRow>('contact_memberships_v1');
/** One document per search term of a listed client or contact: what `q` searches by prefix. */
export const DIRECTORY_TERMS_COLLECTION = collection<DirectoryTermRow>('directory_terms_v1');

export type DirectoryKind = 'client' | 'contact';

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
export const directoryProjection = projectionOf({
  name: 'directory_v1',
  eventTypes: [
    'ClientCompanyRegistered',
    'ClientCompanyUpdated',
    'ClientCompanyArchived',
    'ContactAdded',
    'ContactUpdated',
    'ContactAssociated',
    'ContactDissociated',
    'ContactPrimaryClientChanged',
    'ContactErased',
  ],
  collections: [
    { name: CLIENTS_COLLECTION, indexes: [['organizationId', 'archived'], ['organizationId', 'archived', 'emailKey']] },
    { name: CONTACTS_COLLECTION, indexes: [['organizationId'], ['organizationId', 'emailKey']] },
    { name: CONTACT_MEMBERSHIPS_COLLECTION, indexes: [['organizationId', 'clientId'], ['organizationId', 'contactId']] },
    // The prefix field last, after the equality fields.
    { name: DIRECTORY_TERMS_COLLECTION, indexes: [['organizationId', 'kind', 'term']] },
  ],

  project(event) {
    const organizationId = event.metadata.organizationId;
    const at = event.metadata.occurredAt;
    const position = event.position;

    const client = (clientId: string, set: SomeRowFields<ClientRow>) => upsert(CLIENTS_COLLECTION, clientId, position, { set });
    const contact = (contactId: string, set: SomeRowFields<ContactRow>) => upsert(CONTACTS_COLLECTION, contactId, position, { set });
    const terms = (kind: DirectoryKind, entityId: string, name: string | null): ProjectionWrite[] => {
      const found = name === null ? [] : searchTerms(name);
      const writes: ProjectionWrite[] = [];
      for (let slot = 0; slot < MAX_SEARCH_TERMS; slot += 1) {
        const id = termSlotId(entityId, slot);
        writes.push(
          slot < found.length
            ? upsert(DIRECTORY_TERMS_COLLECTION, id, position, { set: { organizationId, kind, entityId, term: found[slot] } })
            : remove(DIRECTORY_TERMS_COLLECTION, id, position),
        );
      }
      return writes;
    };
    const membership = (clientId: string, contactId: string): ProjectionWrite =>
      upsert(CONTACT_MEMBERSHIPS_COLLECTION, membershipId(clientId, contactId), position, { set: { organizationId, clientId, contactId }, setOnInsert: { since: at } });

    switch (event.type) {
      case 'ClientCompanyRegistered': {
        const data = event.data;
        return [
          client(data.clientId, {
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
      }
      case 'ClientCompanyUpdated': {
        const changes = event.data.changes ?? {};
        const set: SomeRowFields<ClientRow> = { updatedAt: at };
        if (changes.name !== undefined) set.name = changes.name;
        if (changes.email !== undefined) {
          set.email = changes.email ?? null;
          set.emailKey = emailKey(changes.email);
        }
        if (changes.website !== undefined) set.website = changes.website ?? null;
        if (changes.address !== undefined) set.address = changes.address ?? null;
        return [client(event.data.clientId, set), ...(typeof changes.name === 'string' ? terms('client', event.data.clientId, changes.name) : [])];
      }
      case 'ClientCompanyArchived':
        // Stays readable by id; leaves the lists (archived) and the search (no terms).
        return [client(event.data.clientId, { archived: true, archivedAt: at, updatedAt: at }), ...terms('client', event.data.clientId, null)];

      case 'ContactAdded': {
        const data = event.data;
        return [
          contact(data.contactId, {
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
      }
      case 'ContactUpdated': {
        const changes = event.data.changes ?? {};
        const set: SomeRowFields<ContactRow> = { updatedAt: at };
        if (changes.name !== undefined) set.name = changes.name;
        if (changes.email !== undefined) {
          set.email = changes.email ?? null;
          set.emailKey = emailKey(changes.email);
        }
        if (changes.phone !== undefined) set.phone = changes.phone ?? null;
        return [contact(event.data.contactId, set), ...(typeof changes.name === 'string' ? terms('contact', event.data.contactId, changes.name) : [])];
      }
      case 'ContactAssociated':
        return [contact(event.data.contactId, { updatedAt: at }), membership(event.data.clientId, event.data.contactId)];
      case 'ContactDissociated':
        return [
          contact(event.data.contactId, { updatedAt: at }),
          remove(CONTACT_MEMBERSHIPS_COLLECTION, membershipId(event.data.clientId, event.data.contactId), position),
        ];
      case 'ContactErased':
        // The person was forgotten: its personal data leaves the read model (and the search).
        return [
          contact(event.data.contactId, { name: '[erased]', email: null, emailKey: null, phone: null, erased: true, updatedAt: at }),
          ...terms('contact', event.data.contactId, null),
        ];
      case 'ContactPrimaryClientChanged':
        // The new primary is a membership from now on (it may be already); the old one stays.
        return [contact(event.data.contactId, { clientId: event.data.clientId, updatedAt: at }), membership(event.data.clientId, event.data.contactId)];
      default:
        return unhandled(event);
    }
  },
});

/** Emails are matched case-insensitively: the filter compares this lower-cased copy. */
function emailKey(email: string | null | undefined): string | null {
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : null;
}
