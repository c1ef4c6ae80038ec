import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventToAppend, InMemoryEventStore } from '@app/event-store';
import { directoryProjection, ProjectionRunner, ProjectionWaiter, ReadStore, SqliteReadStore } from '@app/projections';
import { eventToAppend } from '@app/projections/testing/events';
import { companyMatchKey, PlannedCompany, PlannedRow } from './contact-import';
import { DirectoryMatcher } from './directory-matches';

const ORG = 'org-1';
const OTHER_ORG = 'org-2';

const event = (type: string, data: Record<string, unknown>, organizationId = ORG): EventToAppend => eventToAppend({ type, data }, { organizationId, actor: { kind: 'staff', id: 'key-1' } });

describe('DirectoryMatcher: what the directory holds for an import', () => {
  let dir: string;
  let store: InMemoryEventStore;
  let readStore: ReadStore;
  let runner: ProjectionRunner;
  let head = 0n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'import-match-'));
    store = new InMemoryEventStore();
    readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    runner = new ProjectionRunner(store, readStore, [directoryProjection], { batchSize: 7 });
    await runner.start();
    const append = async (stream: string, e: EventToAppend) => {
      head = (await store.appendToStream(stream, [e], { expectedRevision: 'any' })).position;
    };
    const client = (id: string, name: string, org = ORG) =>
      append(`clientCompany-${id}`, event('ClientCompanyRegistered', { clientId: id, name, email: null, website: null }, org));
    await client('c1', 'Acme Logistics');
    await client('c2', 'Acme'); // its key is a word of c1's name: c1 must not match "Acme"
    await client('c3', 'ＢＥＴＡ  Corp'); // full-width
    await client('c4', 'Beta corp'); // a second Beta Corp
    await client('c5', 'Gamma');
    await append('clientCompany-c5', event('ClientCompanyArchived', { clientId: 'c5' }));
    await client('c6', 'Delta Old');
    await append('clientCompany-c6', event('ClientCompanyUpdated', { clientId: 'c6', changes: { name: 'Délta' } }));
    await client('c7', 'Acme Logistics', OTHER_ORG);
    const long = 'L'.repeat(150);
    await client('c8', `${long} one`);
    await client('c9', `${long} two`); // the same first 100 characters
    const contact = (id: string, email: string | null, org = ORG) =>
      append(`contact-${id}`, event('ContactAdded', { contactId: id, clientId: 'c1', name: 'Someone', email }, org));
    await contact('p1', 'Ana@Acme.example');
    await contact('p2', null);
    await contact('p3', 'twice@x.example');
    await contact('p4', 'twice@x.example');
    await contact('p5', 'ana@acme.example', OTHER_ORG);
    const waiter = new ProjectionWaiter(readStore, [directoryProjection.name], runner);
    expect(await waiter.waitFor(head, 10_000)).toBe(true);
  });

  afterAll(async () => {
    await runner.stop();
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds companies by the whole name, ignoring case, accents and width; never archived ones or other organizations', async () => {
    const matcher = new DirectoryMatcher(readStore, ORG);
    expect(await matcher.companiesNamed('ACME logístics')).toEqual(['c1']);
    expect(await matcher.companiesNamed('acme')).toEqual(['c2']);
    expect(await matcher.companiesNamed('Beta Corp')).toEqual(['c3', 'c4']);
    expect(await matcher.companiesNamed('Gamma')).toEqual([]);
    expect(await matcher.companiesNamed('Delta Old')).toEqual([]);
    expect(await matcher.companiesNamed('delta')).toEqual(['c6']);
    expect(await matcher.companiesNamed('Acme Freight')).toEqual([]);
    expect(await matcher.companiesNamed(`${'l'.repeat(150)} TWO`)).toEqual(['c9']);
    expect(await new DirectoryMatcher(readStore, OTHER_ORG).companiesNamed('Acme Logistics')).toEqual(['c7']);
  });

  it('finds contacts by email, case-insensitively, in its own organization', async () => {
    const matcher = new DirectoryMatcher(readStore, ORG);
    expect(await matcher.contactsWithEmail('ANA@acme.EXAMPLE')).toEqual(['p1']);
    expect(await matcher.contactsWithEmail('twice@x.example')).toEqual(['p3', 'p4']);
    expect(await matcher.contactsWithEmail('nobody@x.example')).toEqual([]);
  });

  it('answers for every distinct name and email of a plan, leaving out what it does not find', async () => {
    const company = (name: string): PlannedCompany => ({ id: `planned-${name}`, key: companyMatchKey(name), name, email: null, website: null, fromPrimaryRow: true });
    const row = (email: string | null): PlannedRow => ({
      row: 1,
      companyId: 'x',
      companyName: 'x',
      contactId: 'y',
      contact: { name: 'n', email, phone: null },
      associated: [],
      project: null,
    });
    const matches = await new DirectoryMatcher(readStore, ORG).match(
      [company('acme logistics'), company('Beta Corp'), company('New')],
      [row('ana@acme.example'), row(null), row('new@x.example'), row('twice@x.example')],
    );
    expect(matches.companies).toEqual(
      new Map([
        ['acme logistics', ['c1']],
        ['beta corp', ['c3', 'c4']],
      ]),
    );
    expect(matches.contacts).toEqual(
      new Map([
        ['ana@acme.example', ['p1']],
        ['twice@x.example', ['p3', 'p4']],
      ]),
    );
  });
});
