import { CLIENTS_COLLECTION, CONTACTS_COLLECTION, DIRECTORY_TERMS_COLLECTION, entityOfTermSlot, ReadStore, searchKey, searchPrefix, termSlotId } from '@app/projections';
import { DirectoryMatches, PlannedCompany, PlannedRow } from './contact-import';

/** Lookups in flight at once (the SQLite store answers at once; MongoDB gains from overlap). */
const LOOKUP_CONCURRENCY = 16;
const PAGE = 200;

/**
 * Finds, in an organization's directory read models, the companies named like an import's
 * companies and the contacts with its emails: one lookup per distinct name and per distinct
 * email, each served by an index.
 * - Companies: the search terms (`directory_terms_v1`, index organizationId+kind+term) by
 *   equality with the name's whole key; slot 0 of a name holds its whole key, so only those
 *   rows count (a word of another name equal to the key is skipped without reading it); the
 *   company document then confirms the full key (terms are cut at 100 characters) and that it
 *   is not archived (archived companies have no terms).
 * - Contacts: `contacts_v1` by organizationId+emailKey (the lower-cased address).
 */
export class DirectoryMatcher {
  constructor(
    private readonly readStore: ReadStore,
    private readonly organizationId: string,
  ) {}

  async match(companies: Iterable<PlannedCompany>, rows: readonly PlannedRow[]): Promise<DirectoryMatches> {
    const names = new Map<string, string>();
    for (const company of companies) if (!names.has(company.key)) names.set(company.key, company.name);
    const emails = new Set<string>();
    for (const row of rows) if (row.contact.email) emails.add(row.contact.email);
    const companyMatches = new Map<string, string[]>();
    const contactMatches = new Map<string, string[]>();
    await forEachLimited([...names], LOOKUP_CONCURRENCY, async ([key, name]) => {
      const ids = await this.companiesNamed(name);
      if (ids.length > 0) companyMatches.set(key, ids);
    });
    await forEachLimited([...emails], LOOKUP_CONCURRENCY, async (email) => {
      const ids = await this.contactsWithEmail(email);
      if (ids.length > 0) contactMatches.set(email, ids);
    });
    return { companies: companyMatches, contacts: contactMatches };
  }

  /** Ids of the companies (not archived) whose name has the same search key, ordered. */
  async companiesNamed(name: string): Promise<string[]> {
    const key = searchKey(name);
    if (!key) return [];
    const where = { organizationId: this.organizationId, kind: 'client', term: searchPrefix(name) };
    const candidates: string[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await this.readStore.find(DIRECTORY_TERMS_COLLECTION, { where, afterId, limit: PAGE });
      for (const term of page) {
        const entityId = term.entityId ?? entityOfTermSlot(term.id);
        if (term.id === termSlotId(entityId, 0)) candidates.push(entityId);
      }
      if (page.length < PAGE) break;
      afterId = page[page.length - 1].id;
    }
    const found: string[] = [];
    for (const id of candidates) {
      const doc = await this.readStore.get(CLIENTS_COLLECTION, id);
      if (doc && doc.organizationId === this.organizationId && doc.archived === false && searchKey(doc.name) === key) found.push(id);
    }
    return found.sort();
  }

  /** Ids of the contacts with this address (compared lower-cased), ordered. */
  async contactsWithEmail(email: string): Promise<string[]> {
    const docs = await this.readStore.find(CONTACTS_COLLECTION, { where: { organizationId: this.organizationId, emailKey: email.trim().toLowerCase() }, limit: 10 });
    return docs.map((doc) => doc.id);
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
