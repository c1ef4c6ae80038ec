import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventToAppend, InMemoryEventStore } from '@app/event-store';
import {
  CLIENTS_COLLECTION,
  CONTACT_MEMBERSHIPS_COLLECTION,
  CONTACTS_COLLECTION,
  DIRECTORY_TERMS_COLLECTION,
  directoryProjection,
} from './directory.projection';
import { ContactPageRequest, DirectoryQueries } from './directory.queries';
import { ProjectionRunner } from './projection-runner';
import { ProjectionWaiter } from './projection-waiter';
import { ReadStore, Row } from './read-store';
import { eventToAppend } from './testing/events';
import { SqliteReadStore } from './read-store/sqlite.read-store';

const ORG = 'org-1';
const OTHER_ORG = 'org-2';

/** Sortable ids (like UUIDs they have one length), so the expected orders read easily. */
const cid = (n: number) => `c${String(n).padStart(4, '0')}-client`;
const pid = (n: number) => `p${String(n).padStart(4, '0')}-person`;

const event = (type: string, data: Record<string, unknown>, organizationId = ORG): EventToAppend => eventToAppend({ type, data }, { organizationId, actor: { kind: 'staff', id: 'key-1' } });

describe('directory projection', () => {
  let dir: string;
  let store: InMemoryEventStore;
  let readStore: ReadStore;
  let runner: ProjectionRunner;
  let queries: DirectoryQueries;
  let head = 0n;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'directory-'));
    store = new InMemoryEventStore();
    readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    runner = new ProjectionRunner(store, readStore, [directoryProjection], { batchSize: 5 });
    queries = new DirectoryQueries(readStore);
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
  const client = (n: number, name: string, extra: Record<string, unknown> = {}, org = ORG) =>
    append(`clientCompany-${cid(n)}`, event('ClientCompanyRegistered', { clientId: cid(n), name, email: null, website: null, ...extra }, org));
  const contact = (n: number, clientN: number, name: string, email: string | null = null, org = ORG) =>
    append(`contact-${pid(n)}`, event('ContactAdded', { contactId: pid(n), clientId: cid(clientN), name, email }, org));
  const contactEvent = (n: number, type: string, data: Record<string, unknown>) => append(`contact-${pid(n)}`, event(type, { contactId: pid(n), ...data }));
  const clientEvent = (n: number, type: string, data: Record<string, unknown>) => append(`clientCompany-${cid(n)}`, event(type, { clientId: cid(n), ...data }));

  async function caughtUp(): Promise<void> {
    const waiter = new ProjectionWaiter(readStore, [directoryProjection.name], runner);
    expect(await waiter.waitFor(head, 10_000)).toBe(true);
  }
  const ids = (docs: Row[]) => docs.map((doc) => doc.id);
  const clients = async (request: Partial<ContactPageRequest> = {}, org = ORG) => ids((await queries.listClients(org, { limit: 100, ...request })).docs);
  const contacts = async (request: Partial<ContactPageRequest> = {}, org = ORG) => ids((await queries.listContacts(org, { limit: 100, ...request })).docs);

  /** Every page of a list, following the cursor. */
  async function pages(list: (afterId: string | undefined) => Promise<{ docs: Row[]; nextAfterId: string | null }>): Promise<string[][]> {
    const all: string[][] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await list(afterId);
      all.push(ids(page.docs));
      if (!page.nextAfterId) return all;
      afterId = page.nextAfterId;
    }
  }

  async function snapshot() {
    const all = async (collection: string) => readStore.find(collection, { where: {}, limit: 100_000 });
    return {
      clients: await all(CLIENTS_COLLECTION),
      contacts: await all(CONTACTS_COLLECTION),
      memberships: await all(CONTACT_MEMBERSHIPS_COLLECTION),
      terms: await all(DIRECTORY_TERMS_COLLECTION),
    };
  }

  async function seedNames(): Promise<void> {
    await client(1, 'São Paulo Logística', { email: 'Office@SaoPaulo.example', website: 'https://sp.example' });
    await client(2, 'ＡＢＣ商事');
    await client(3, 'Hélène Lefèvre Conseil');
    await client(4, 'Acme', {}, OTHER_ORG);
    await contact(1, 1, '山田 太郎', 'taro@abc.example');
    await contact(2, 2, 'ヤマダ ハナコ', 'hanako@abc.example');
    await contact(3, 3, 'Hélène Lefèvre', 'helene@lefevre.example');
    await contact(4, 1, 'João Gonçalves', null);
    await contact(5, 4, 'Sao Other Org', null, OTHER_ORG);
    await caughtUp();
  }

  it('lists and searches clients and contacts across scripts and accents, within the organization', async () => {
    await seedNames();
    expect(await clients()).toEqual([cid(1), cid(2), cid(3)]);
    expect(await clients({}, OTHER_ORG)).toEqual([cid(4)]);
    expect(await clients({ q: 'sao' })).toEqual([cid(1)]);
    expect(await clients({ q: 'SÃO paulo' })).toEqual([cid(1)]);
    expect(await clients({ q: 'logistica' })).toEqual([cid(1)]);
    expect(await clients({ q: 'abc' })).toEqual([cid(2)]);
    expect(await clients({ q: 'ＡＢＣ' })).toEqual([cid(2)]);
    expect(await clients({ q: '商事' })).toEqual([cid(2)]);
    expect(await clients({ q: 'helene' })).toEqual([cid(3)]);
    expect(await clients({ q: 'acme' })).toEqual([]);
    expect(await clients({ email: 'office@saopaulo.EXAMPLE' })).toEqual([cid(1)]);
    expect(await clients({ email: 'office@saopaulo.example', q: 'abc' })).toEqual([]);

    expect(await contacts()).toEqual([pid(1), pid(2), pid(3), pid(4)]);
    expect(await contacts({ q: 'やまだ' })).toEqual([pid(2)]);
    expect(await contacts({ q: 'ヤマダ' })).toEqual([pid(2)]);
    expect(await contacts({ q: '山田' })).toEqual([pid(1)]);
    expect(await contacts({ q: '太郎' })).toEqual([pid(1)]);
    expect(await contacts({ q: 'lefevre' })).toEqual([pid(3)]);
    expect(await contacts({ q: 'HELENE lef' })).toEqual([pid(3)]);
    expect(await contacts({ q: 'joao' })).toEqual([pid(4)]);
    expect(await contacts({ q: 'sao' })).toEqual([]);
    expect(await contacts({ q: 'sao' }, OTHER_ORG)).toEqual([pid(5)]);
    expect(await contacts({ clientId: cid(1) })).toEqual([pid(1), pid(4)]);
    expect(await contacts({ clientId: cid(1), q: 'gon' })).toEqual([pid(4)]);
    expect(await contacts({ clientId: cid(4) })).toEqual([]);
    expect(await contacts({ email: 'HANAKO@abc.example' })).toEqual([pid(2)]);
    expect(await contacts({ email: 'hanako@abc.example', clientId: cid(1) })).toEqual([]);
    expect(await contacts({ email: 'hanako@abc.example', clientId: cid(2), q: 'はなこ' })).toEqual([pid(2)]);

    expect(await queries.getClient(ORG, cid(1))).toMatchObject({
      id: cid(1),
      organizationId: ORG,
      name: 'São Paulo Logística',
      email: 'Office@SaoPaulo.example',
      website: 'https://sp.example',
      address: null,
      archived: false,
    });
    expect(await queries.getClient(ORG, cid(4))).toBeNull();
    expect(await queries.getContact(OTHER_ORG, pid(1))).toBeNull();
    expect(await queries.getContact(ORG, pid(1))).toMatchObject({ name: '山田 太郎', clientId: cid(1), email: 'taro@abc.example', phone: null });
  });

  it('replaces the terms when a name changes, and follows email and other changes', async () => {
    await seedNames();
    await clientEvent(1, 'ClientCompanyUpdated', { changes: { name: 'Rio Transportes', email: 'rio@example.com' } });
    await contactEvent(1, 'ContactUpdated', { changes: { name: 'Suzuki Ichiro', email: null, phone: '+81 3 1234' } });
    await caughtUp();
    expect(await clients({ q: 'sao' })).toEqual([]);
    expect(await clients({ q: 'logistica' })).toEqual([]);
    expect(await clients({ q: 'rio' })).toEqual([cid(1)]);
    expect(await clients({ email: 'office@saopaulo.example' })).toEqual([]);
    expect(await clients({ email: 'RIO@example.com' })).toEqual([cid(1)]);
    expect(await contacts({ q: '山田' })).toEqual([]);
    expect(await contacts({ q: 'suzuki' })).toEqual([pid(1)]);
    expect(await contacts({ email: 'taro@abc.example' })).toEqual([]);
    expect(await queries.getContact(ORG, pid(1))).toMatchObject({ name: 'Suzuki Ichiro', email: null, phone: '+81 3 1234' });
    // No term of the old names is left behind.
    const terms = (await snapshot()).terms.filter((t) => t.entityId === cid(1) || t.entityId === pid(1)).map((t) => t.term);
    expect(terms.sort()).toEqual(['ichiro', 'rio', 'rio transportes', 'suzuki', 'suzuki ichiro', 'transportes']);
  });

  it('takes an archived client out of the lists and the search, and keeps it readable by id', async () => {
    await seedNames();
    await clientEvent(1, 'ClientCompanyArchived', { name: 'São Paulo Logística' });
    await caughtUp();
    expect(await clients()).toEqual([cid(2), cid(3)]);
    expect(await clients({ q: 'sao' })).toEqual([]);
    expect(await clients({ email: 'office@saopaulo.example' })).toEqual([]);
    expect(await queries.getClient(ORG, cid(1))).toMatchObject({ archived: true, name: 'São Paulo Logística' });
    expect((await snapshot()).terms.filter((t) => t.entityId === cid(1))).toEqual([]);
    // Its contacts stay.
    expect(await contacts({ clientId: cid(1) })).toEqual([pid(1), pid(4)]);
  });

  it('follows associations, dissociations and primary company changes', async () => {
    await seedNames();
    await contactEvent(1, 'ContactAssociated', { clientId: cid(2) });
    await contactEvent(1, 'ContactAssociated', { clientId: cid(3) });
    await caughtUp();
    expect(await contacts({ clientId: cid(2) })).toEqual([pid(1), pid(2)]);
    expect(await contacts({ clientId: cid(3), q: '山田' })).toEqual([pid(1)]);
    expect(await queries.clientIdsOf(ORG, pid(1))).toEqual([cid(1), cid(2), cid(3)]);

    await contactEvent(1, 'ContactDissociated', { clientId: cid(3), documents: 'keep', documentsMovedTo: null });
    await contactEvent(1, 'ContactPrimaryClientChanged', { previousClientId: cid(1), clientId: cid(2) });
    // A primary change to a company not yet associated associates it.
    await contactEvent(4, 'ContactPrimaryClientChanged', { previousClientId: cid(1), clientId: cid(3) });
    await caughtUp();
    expect(await contacts({ clientId: cid(3) })).toEqual([pid(3), pid(4)]);
    expect(await contacts({ clientId: cid(1) })).toEqual([pid(1), pid(4)]);
    expect(await queries.clientIdsOf(ORG, pid(1))).toEqual([cid(1), cid(2)]);
    expect(await queries.getContact(ORG, pid(1))).toMatchObject({ clientId: cid(2) });
    expect(await queries.getContact(ORG, pid(4))).toMatchObject({ clientId: cid(3) });

    // Dissociated and associated again.
    await contactEvent(1, 'ContactAssociated', { clientId: cid(3) });
    await caughtUp();
    expect(await contacts({ clientId: cid(3) })).toEqual([pid(1), pid(3), pid(4)]);
  });

  it('pages a search by entity, counting an entity with several matching terms once', async () => {
    // 25 contacts whose names match 'ana' in one, two or three terms, among 25 that do not.
    for (let i = 1; i <= 50; i += 1) {
      const name = i % 2 ? ['Ana Souza', 'Ana Anabela', 'Anabela Ana Anastácia'][i % 3] : `Bruno ${i}`;
      await contact(i, 1 + (i % 3), name, `p${i}@example.com`);
    }
    await client(1, 'Clínica Ana');
    await caughtUp();
    const expected = Array.from({ length: 25 }, (_, k) => pid(2 * k + 1));
    for (const limit of [1, 2, 7, 25, 100]) {
      const all = await pages((afterId) => queries.listContacts(ORG, { q: 'ana', limit, afterId }));
      expect(all.flat()).toEqual(expected);
      expect(all.slice(0, -1).every((page) => page.length === limit)).toBe(true);
    }
    // Filters that do not drive the scan still fill every page.
    const second = (await queries.listContacts(ORG, { clientId: cid(2), limit: 1_000 })).docs.length;
    const pagedByClient = await pages((afterId) => queries.listContacts(ORG, { clientId: cid(2), q: 'anabela', limit: 3, afterId }));
    // Odd i with i % 3 === 1: 'Ana Anabela' at company 2.
    expect(pagedByClient.flat()).toEqual(expected.filter((id) => Number(id.slice(1, 5)) % 6 === 1));
    expect(second).toBeGreaterThan(pagedByClient.flat().length);
    expect((await pages((afterId) => queries.listContacts(ORG, { q: 'bruno', limit: 4, afterId }))).flat()).toHaveLength(25);
    expect((await pages((afterId) => queries.listClients(ORG, { q: 'ana', limit: 1, afterId }))).flat()).toEqual([cid(1)]);
  });

  it('applies each event exactly once in effect: a replayed suffix and a rebuild change nothing', async () => {
    await seedNames();
    await clientEvent(2, 'ClientCompanyUpdated', { changes: { name: 'XYZ Holdings' } });
    await contactEvent(1, 'ContactAssociated', { clientId: cid(3) });
    await contactEvent(1, 'ContactDissociated', { clientId: cid(3), documents: 'keep', documentsMovedTo: null });
    await contactEvent(2, 'ContactUpdated', { changes: { name: 'Yamada Hanako' } });
    await clientEvent(3, 'ClientCompanyArchived', { name: 'Hélène Lefèvre Conseil' });
    await contactEvent(4, 'ContactPrimaryClientChanged', { previousClientId: cid(1), clientId: cid(2) });
    await caughtUp();
    const before = await snapshot();

    // Every suffix of the log delivered again (a crash before a checkpoint, then a resume).
    const events = await store.readAll({ maxCount: 1_000 });
    for (let from = events.length - 1; from >= 0; from -= 3) {
      await readStore.applyBatch(directoryProjection.name, events.slice(from).flatMap((e) => directoryProjection.project(e)), head);
      expect(await snapshot()).toEqual(before);
    }

    await runner.rebuild(directoryProjection.name);
    await runner.whenRebuilt(directoryProjection.name);
    await caughtUp();
    expect(await snapshot()).toEqual(before);
    expect(await clients({ q: 'xyz' })).toEqual([cid(2)]);
    expect(await clients({ q: 'abc' })).toEqual([]);
    expect(await contacts({ q: 'やまだ' })).toEqual([]);
    expect(await contacts({ q: 'yamada' })).toEqual([pid(2)]);
  });
});
