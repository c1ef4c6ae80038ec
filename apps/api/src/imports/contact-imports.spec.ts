import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { SqliteKeyValueStore } from '@app/credentials';
import { EventStore } from '@app/event-store';
import { ProjectionWaiter, ReadStore } from '@app/projections';
import { ProjectImports } from '../projects/project-imports';
import { CommandExecutor } from '../commands/command-executor';
import { ContactImports, ImportRecord, IMPORTS_NAMESPACE } from './contact-imports';

const record = (overrides: Partial<ImportRecord>): ImportRecord => ({
  id: 'i1',
  organizationId: 'org-a',
  kind: 'contacts',
  status: 'running',
  rows: 10,
  processed: 4,
  applied: 4,
  created: 4,
  unchanged: 0,
  invalid: 0,
  errorCount: 0,
  errors: [],
  companiesRegistered: 1,
  contactsAdded: 4,
  associationsAdded: 0,
  position: 7,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  updatedAt: new Date().toISOString(),
  failure: null,
  ...overrides,
});

describe('ContactImports progress records', () => {
  const kv = new SqliteKeyValueStore(':memory:');
  const imports = new ContactImports({} as CommandExecutor, kv, {} as HttpAdapterHost, {} as ProjectionWaiter, {} as ReadStore, {} as EventStore, {} as ProjectImports, {} as CommandBus);

  it('answers only the organization that imported', async () => {
    await kv.set(IMPORTS_NAMESPACE, 'i1', record({}));
    expect(await imports.find('org-b', 'i1')).toBeNull();
    expect(await imports.find('org-a', 'nope')).toBeNull();
    const found = await imports.find('org-a', 'i1');
    expect(found).toMatchObject({ id: 'i1', status: 'running', processed: 4 });
    expect(found).not.toHaveProperty('organizationId');
  });

  it('marks a running import whose process stopped (no progress for a minute) as failed, once', async () => {
    const updatedAt = new Date(Date.now() - 61_000).toISOString();
    await kv.set(IMPORTS_NAMESPACE, 'i2', record({ id: 'i2', updatedAt }));
    const found = await imports.find('org-a', 'i2');
    expect(found).toMatchObject({ status: 'failed', finishedAt: updatedAt, failure: expect.stringMatching(/^Interrupted: the service stopped after 4 of 10 rows\. Import the file again/) });
    expect(await kv.get<ImportRecord>(IMPORTS_NAMESPACE, 'i2')).toMatchObject({ status: 'failed' });
  });
});
